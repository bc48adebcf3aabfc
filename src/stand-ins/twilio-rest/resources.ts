/**
 * The JSON bodies Twilio's 2010-04-01 API returns for the resources the stand-in serves,
 * snake_case with RFC 2822 dates, so twilio-node builds its `PaymentInstance`, `CallInstance`
 * and `MessageInstance` from them as it would from api.twilio.com.
 */

export const API_VERSION = '2010-04-01';

/** Twilio's date format: `Wed, 18 Dec 2019 20:02:01 +0000`. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

export interface PaymentResource {
  account_sid: string;
  call_sid: string;
  sid: string;
  date_created: string;
  date_updated: string;
  uri: string;
}

export function paymentResource(accountSid: string, callSid: string, sid: string, created: Date, updated: Date): PaymentResource {
  return {
    account_sid: accountSid,
    call_sid: callSid,
    sid,
    date_created: rfc2822(created),
    date_updated: rfc2822(updated),
    uri: `/${API_VERSION}/Accounts/${accountSid}/Calls/${callSid}/Payments/${sid}.json`,
  };
}

export interface CallFacts {
  sid: string;
  accountSid: string;
  parentCallSid?: string;
  from: string;
  to: string;
  status: 'in-progress' | 'completed';
  direction: 'inbound' | 'outbound-dial';
  startTime: Date;
  endTime?: Date;
}

export function callResource(c: CallFacts, now: Date): Record<string, unknown> {
  const end = c.endTime;
  const base = `/${API_VERSION}/Accounts/${c.accountSid}/Calls/${c.sid}`;
  return {
    sid: c.sid,
    account_sid: c.accountSid,
    parent_call_sid: c.parentCallSid ?? null,
    to: c.to,
    to_formatted: c.to,
    from: c.from,
    from_formatted: c.from,
    status: c.status,
    direction: c.direction,
    api_version: API_VERSION,
    start_time: rfc2822(c.startTime),
    end_time: end ? rfc2822(end) : null,
    duration: end ? String(Math.round((end.getTime() - c.startTime.getTime()) / 1000)) : null,
    date_created: rfc2822(c.startTime),
    date_updated: rfc2822(end ?? now),
    price: null,
    price_unit: 'USD',
    answered_by: null,
    caller_name: null,
    forwarded_from: null,
    group_sid: null,
    phone_number_sid: null,
    queue_time: '0',
    trunk_sid: null,
    uri: `${base}.json`,
    subresource_uris: {
      notifications: `${base}/Notifications.json`,
      recordings: `${base}/Recordings.json`,
      payments: `${base}/Payments.json`,
      events: `${base}/Events.json`,
      siprec: `${base}/Siprec.json`,
      streams: `${base}/Streams.json`,
      transcriptions: `${base}/Transcriptions.json`,
      user_defined_message_subscriptions: `${base}/UserDefinedMessageSubscriptions.json`,
      user_defined_messages: `${base}/UserDefinedMessages.json`,
    },
  };
}

export interface SentMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  body: string;
  messagingServiceSid?: string;
  statusCallback?: string;
  dateCreated: Date;
}

export function messageResource(m: SentMessage): Record<string, unknown> {
  return {
    sid: m.sid,
    account_sid: m.accountSid,
    api_version: API_VERSION,
    body: m.body,
    date_created: rfc2822(m.dateCreated),
    date_updated: rfc2822(m.dateCreated),
    date_sent: null,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: m.from,
    messaging_service_sid: m.messagingServiceSid ?? null,
    num_media: '0',
    num_segments: String(Math.max(1, Math.ceil(m.body.length / 160))),
    price: null,
    price_unit: 'USD',
    status: 'queued',
    subresource_uris: { media: `/${API_VERSION}/Accounts/${m.accountSid}/Messages/${m.sid}/Media.json` },
    to: m.to,
    uri: `/${API_VERSION}/Accounts/${m.accountSid}/Messages/${m.sid}.json`,
  };
}
