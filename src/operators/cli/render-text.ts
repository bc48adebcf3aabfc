/** Calls and timelines as plain text for a terminal (`npm run calls`, `npm run inspect`). */
import { formatMoney } from '../../money/format.js';
import type { CallDetail, CallSummary } from '../read/call-views.js';
import type { Timeline, TimelineEntry } from '../timeline/index.js';

interface Style {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function terminalStyle(color: boolean): Style {
  const wrap = (code: number, reset: number) => (s: string) => (color ? `\u001b[${code}m${s}\u001b[${reset}m` : s);
  return { red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}

const marks: Record<TimelineEntry['status'], string> = { ok: '✓', failed: '✗', running: '…', info: '·' };

function clock(iso: string | undefined): string {
  return iso ? iso.slice(11, 23) : '';
}

function when(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : '';
}

function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** `npm run inspect`: a call (or a bare history file's timeline) as text. */
export function renderTimelineText(timeline: Timeline, options: { detail?: CallDetail; color?: boolean } = {}): string {
  const s = terminalStyle(options.color ?? false);
  const d = options.detail;
  const lines: string[] = [];
  const title = timeline.workflowType === 'refundWorkflow' ? `Refund ${timeline.workflowId}` : `Call ${timeline.callSid ?? d?.callSid ?? ''}  (${timeline.workflowId})`;
  lines.push(s.bold(title));
  const outcome = d?.outcome ?? timeline.effectiveOutcome ?? timeline.refund?.status;
  lines.push(`  status    ${d?.status ?? timeline.status}${outcome ? ` · outcome ${outcome}` : ''}${d?.stage ? ` · stage ${d.stage}` : timeline.stage ? ` · stage ${timeline.stage}` : ''}`);
  const money = d?.amountText ?? (timeline.amount !== undefined ? formatMoney(timeline.amount, timeline.currency) : undefined);
  const facts = [timeline.orderId ? `order ${timeline.orderId}` : '', money ?? '', timeline.paymentIntentId ?? '', d?.confirmationCode ? `confirmation ${d.confirmationCode}` : '']
    .filter(Boolean)
    .join(' · ');
  if (facts) lines.push(`  payment   ${facts}`);
  if (d?.refundedText) lines.push(`  refunded  ${d.refundedText} (${d.refunds.filter((r) => r.status === 'refunded').length} refund(s))`);
  for (const r of d?.refunds ?? []) {
    if (r.status === 'pending' && r.refundId) lines.push(`  refund    ${s.yellow(`pending at Stripe`)} ${r.amountText ?? ''} (${r.refundId}${r.pendingReason ? `: ${r.pendingReason}` : ''})`);
    if (r.status === 'failed' && r.failureReason) lines.push(`  refund    ${s.red(`failed at Stripe: ${r.failureReason}`)} ${r.amountText ?? ''} (${r.refundId ?? ''})`);
  }
  for (const dispute of timeline.disputes ?? []) {
    const text = `${dispute.open ? 'open' : 'closed'}: ${dispute.status} · ${dispute.reason} · ${formatMoney(dispute.amount, dispute.currency)} · ${dispute.disputeId}${dispute.dueBy ? ` · evidence due ${dispute.dueBy.slice(0, 10)}` : ''}`;
    lines.push(`  dispute   ${dispute.open || dispute.status === 'lost' ? s.red(text) : text}`);
  }
  if (timeline.startedAt) lines.push(`  started   ${when(timeline.startedAt)}${timeline.closedAt ? ` · ended ${when(timeline.closedAt)}` : ''}`);
  if (d?.temporalUiUrl) lines.push(`  Temporal  ${d.temporalUiUrl}`);
  lines.push('');
  const failed = Boolean(timeline.failingEntryId);
  lines.push(`${s.bold('Where did it fail?')}  ${failed ? s.red(timeline.whereFailed) : timeline.whereFailed}`);
  if (d?.state) {
    lines.push('');
    lines.push(`${s.bold('Live state')}  step ${d.state.step} · order entries ${d.state.orderEntryAttempts} · card captures ${d.state.captureAttempts}${d.state.lastError ? ` · last error ${d.state.lastError.step}: ${d.state.lastError.code}` : ''}`);
  }
  for (const a of d?.pendingActivities ?? []) lines.push(`  in flight: ${a.type}, attempt ${a.attempt}${a.lastFailure ? ` (last error: ${a.lastFailure})` : ''}`);
  lines.push('');
  lines.push(s.bold('Timeline'));
  for (const e of timeline.entries) {
    const name = `${e.title}${e.attempt ? ` #${e.attempt}` : ''}`;
    const mark = e.status === 'failed' ? s.red(marks.failed) : e.status === 'ok' ? s.green(marks.ok) : e.status === 'running' ? s.yellow(marks.running) : s.dim(marks.info);
    const summary = e.failing ? s.red(`${e.summary}  ← failed here`) : e.summary;
    lines.push(`  ${s.dim(clock(e.startedAt))}  ${mark}  ${name.padEnd(22)} ${duration(e.durationMs).padStart(8)}  ${summary}`);
    const ids = [
      e.error ? `${e.error.type ?? 'error'}${e.error.code ? ` ${e.error.code}` : ''}${e.error.declineCode ? ` / ${e.error.declineCode}` : ''}` : '',
      e.paymentIntentId ?? '',
      e.refundId ?? '',
      e.card?.last4 ? `${e.card.brand ?? 'card'} ••••${e.card.last4}` : '',
      e.idempotencyKey ? `key ${e.idempotencyKey}` : '',
      e.activityAttempts ? `attempt ${e.activityAttempts}${e.retriedAfter ? ` after ${e.retriedAfter}` : ''}` : '',
    ].filter(Boolean);
    if (ids.length && (e.step === 'charge' || e.step === 'refund' || e.error || e.activityAttempts)) lines.push(`  ${' '.repeat(12)}     ${s.dim(ids.join(' · '))}`);
  }
  return lines.join('\n');
}

/** `npm run calls`: one line per call. */
export function renderCallsTable(calls: CallSummary[], options: { width?: number; color?: boolean } = {}): string {
  const s = terminalStyle(options.color ?? false);
  if (calls.length === 0) return 'No calls match.';
  const rows = calls.map((c) => [when(c.startedAt).replace(' UTC', ''), c.callSid, c.orderId ?? '', c.amountText ?? '', c.status === 'running' ? `running (${c.stage ?? '?'})` : `${c.outcome ?? c.status}${c.disputes?.length ? ` · ${c.disputes.at(-1)!.open ? 'disputed' : `dispute ${c.disputes.at(-1)!.status}`}` : ''}`, c.whereFailed]);
  const header = ['STARTED (UTC)', 'CALL', 'ORDER', 'AMOUNT', 'OUTCOME', 'WHERE DID IT FAIL?'];
  const widths = header.slice(0, 5).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fixed = widths.reduce((a, b) => a + b + 2, 0);
  const room = Math.max(30, (options.width ?? 160) - fixed);
  const line = (cells: string[], paint?: (i: number, text: string) => string) =>
    cells
      .map((cell, i) => {
        const text = i < 5 ? cell.padEnd(widths[i]!) : cell.length > room ? `${cell.slice(0, room - 1)}…` : cell;
        return paint ? paint(i, text) : text;
      })
      .join('  ')
      .trimEnd();
  const outcomeColor = (text: string) => (/declined|failed|abandoned|refused|disput/.test(text) ? s.red(text) : /paid/.test(text) ? s.green(text) : /running/.test(text) ? s.yellow(text) : text);
  return [s.bold(line(header)), ...rows.map((r) => line(r, (i, text) => (i === 4 ? outcomeColor(text) : text)))].join('\n');
}
