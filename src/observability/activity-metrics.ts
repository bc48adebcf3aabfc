/**
 * Worker-side metrics from the activities, as an activity interceptor: charge latency by
 * result, declines by code (from the CardDeclined failure's details) and refunds by the
 * status Stripe answered. The payment activities themselves know nothing of metrics.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { failureTypes, type CardDeclinedDetails, type RefundResult } from '../activities/types.js';
import type { PaycallMetrics } from './metrics.js';

export function activityMetricsInterceptor(metrics: PaycallMetrics): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const type = ctx.info.activityType;
        if (type !== 'chargeCard' && type !== 'refundPayment') return next(input);
        const stopTimer = type === 'chargeCard' ? metrics.chargeDuration.startTimer() : undefined;
        try {
          const result = await next(input);
          stopTimer?.({ result: 'succeeded' });
          if (type === 'refundPayment') metrics.refunds.inc({ status: (result as RefundResult).status });
          return result;
        } catch (err) {
          const failure = err instanceof ApplicationFailure ? err : undefined;
          if (type === 'chargeCard') {
            const declined = failure?.type === failureTypes.cardDeclined;
            stopTimer?.({ result: declined ? 'declined' : 'error' });
            if (declined) {
              const details = failure.details?.[0] as CardDeclinedDetails | undefined;
              metrics.declines.inc({ code: details?.declineCode ?? details?.code ?? 'unknown' });
            }
          } else if (failure?.type === failureTypes.refundRefused) {
            metrics.refunds.inc({ status: 'refused' });
          }
          throw err;
        }
      },
    },
  });
}
