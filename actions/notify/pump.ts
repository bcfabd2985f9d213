/**
 * Background delivery for long-running processes (the executor, the service): a timer loop
 * that calls deliverNotifications every interval, never overlapping itself, never keeping the
 * process alive on its own (the timer is unref'd), and stopping within one send's abort.
 */
import type { Config } from "../../core/config.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { type DeliveryReport, deliverNotifications } from "./deliver.ts";

export interface NotificationPump {
  /** Deliver now instead of at the next tick (after queueing a notice, say). */
  wake(): void;
  /** Stop the loop; resolves when a delivery in progress has let go (sends in flight are abandoned). */
  stop(): Promise<void>;
}

export function startNotificationPump(
  warehouse: Warehouse,
  config: Pick<Config, "notifications">,
  options: { intervalMs?: number; onReport?: (report: DeliveryReport) => void } = {},
): NotificationPump {
  const intervalMs = options.intervalMs ?? 2000;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  let busy = false;
  let wokenWhileBusy = false;

  const tick = () => {
    clearTimeout(timer);
    if (busy || controller.signal.aborted) return;
    busy = true;
    current = deliverNotifications(warehouse, config, { signal: controller.signal }).then((report) => {
      busy = false;
      options.onReport?.(report);
      if (!controller.signal.aborted) schedule(wokenWhileBusy ? 0 : intervalMs);
      wokenWhileBusy = false;
    });
  };
  const schedule = (ms: number) => {
    timer = setTimeout(tick, ms);
    timer.unref();
  };
  schedule(0);
  return {
    wake: () => {
      if (busy) wokenWhileBusy = true;
      else if (!controller.signal.aborted) {
        clearTimeout(timer);
        schedule(0);
      }
    },
    stop: async () => {
      controller.abort();
      clearTimeout(timer);
      await current;
    },
  };
}
