/**
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`: SMS (paycall's receipts). Nothing is
 * delivered; the message is kept for tests (`standIn.messages`) and answered as Twilio does,
 * `queued`, with Twilio's validation errors for a missing To, From or Body.
 */
import { randomBytes } from 'node:crypto';
import type { ApiRoute } from './context.js';
import { twilioErrors } from './errors.js';
import { messageResource, type SentMessage } from './resources.js';

/** Messages kept; the oldest are forgotten past this. */
const MAX_MESSAGES = 10_000;

const e164 = /^\+[1-9]\d{6,14}$/;

const createMessage: ApiRoute = {
  method: 'POST',
  pattern: /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Messages\.json$/,
  handle(ctx, { params: [accountSid], form }) {
    const to = form.To?.trim();
    if (!to) throw twilioErrors.messageToRequired();
    const from = form.From?.trim();
    const messagingServiceSid = form.MessagingServiceSid?.trim();
    if (!from && !messagingServiceSid) throw twilioErrors.messageFromRequired();
    const body = form.Body ?? '';
    if (body === '' && !form.MediaUrl) throw twilioErrors.messageBodyRequired();
    if (!e164.test(to.replace(/^whatsapp:/, ''))) throw twilioErrors.messageInvalidTo(to);
    if (body.length > 1600) throw twilioErrors.messageTooLong();
    const message: SentMessage = {
      sid: `SM${randomBytes(16).toString('hex')}`,
      accountSid: accountSid!,
      to,
      from: from ?? '',
      body,
      ...(messagingServiceSid ? { messagingServiceSid } : {}),
      ...(form.StatusCallback ? { statusCallback: form.StatusCallback } : {}),
      dateCreated: ctx.now(),
    };
    ctx.messages.push(message);
    if (ctx.messages.length > MAX_MESSAGES) ctx.messages.shift();
    ctx.logger.info({ messageSid: message.sid }, 'message queued');
    return { status: 201, body: messageResource(message) };
  },
};

export const messageRoutes: readonly ApiRoute[] = [createMessage];
