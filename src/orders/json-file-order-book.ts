/**
 * The demo order book: orders from a JSON file (ORDERS_FILE, never rewritten), payments
 * recorded in `<DATA_DIR>/orders-paid.json`. Writes are serialized within a process and
 * atomic (temp file + rename). One worker process per DATA_DIR: several workers use the
 * PostgreSQL order book or the merchant's order API instead (open-order-book.ts).
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { OrderNotPayableError, type Order, type OrderBook } from './order-book.js';
import { firstIssue, ordersFileSchema } from './order-schema.js';

interface PaymentRecord {
  paymentIntentId: string;
  paidAt: string;
}
const paymentsSchema = z.record(z.string(), z.object({ paymentIntentId: z.string(), paidAt: z.string() }));

export class JsonFileOrderBook implements OrderBook {
  private readonly paymentsFile: string;
  private writes: Promise<unknown> = Promise.resolve();
  /** The parsed orders file, reused until the file changes (every lookup would re-read it). */
  private cached: { mtimeMs: number; size: number; orders: Map<string, Order> } | undefined;

  constructor(
    private readonly ordersFile: string,
    dataDir: string,
  ) {
    this.paymentsFile = path.join(dataDir, 'orders-paid.json');
  }

  /** Reads and validates the orders file; throws a message naming the file and the problem. */
  async loadOrders(): Promise<Map<string, Order>> {
    let raw: unknown;
    let version: { mtimeMs: number; size: number };
    try {
      version = await stat(this.ordersFile);
      if (this.cached && this.cached.mtimeMs === version.mtimeMs && this.cached.size === version.size) return this.cached.orders;
      raw = JSON.parse(await readFile(this.ordersFile, 'utf8'));
    } catch (err) {
      throw new Error(`ORDERS_FILE ${this.ordersFile} could not be read as JSON: ${(err as Error).message}`);
    }
    const parsed = ordersFileSchema.safeParse(raw);
    if (!parsed.success) {
      throw new Error(`ORDERS_FILE ${this.ordersFile} is invalid ${firstIssue(parsed.error)}`);
    }
    const orders = new Map(parsed.data.map((order) => [order.orderId, order as Order]));
    this.cached = { mtimeMs: version.mtimeMs, size: version.size, orders };
    return orders;
  }

  async find(orderId: string): Promise<Order | undefined> {
    const order = (await this.loadOrders()).get(orderId);
    if (!order) return undefined;
    const payment = (await this.readPayments())[orderId];
    return payment ? { ...order, status: 'paid', paymentIntentId: payment.paymentIntentId } : order;
  }

  markPaid(orderId: string, paymentIntentId: string): Promise<Order> {
    const result = this.writes.then(async () => {
      const order = await this.find(orderId);
      if (!order) throw new OrderNotPayableError(orderId, 'unknown-order');
      if (order.status === 'paid') {
        if (order.paymentIntentId === paymentIntentId) return order;
        throw new OrderNotPayableError(orderId, 'paid-by-another-payment');
      }
      const payments = await this.readPayments();
      payments[orderId] = { paymentIntentId, paidAt: new Date().toISOString() };
      await this.writePayments(payments);
      return { ...order, status: 'paid' as const, paymentIntentId };
    });
    this.writes = result.catch(() => undefined);
    return result;
  }

  private async readPayments(): Promise<Record<string, PaymentRecord>> {
    try {
      return paymentsSchema.parse(JSON.parse(await readFile(this.paymentsFile, 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new Error(`${this.paymentsFile} is corrupt: ${(err as Error).message}`);
    }
  }

  private async writePayments(payments: Record<string, PaymentRecord>): Promise<void> {
    await mkdir(path.dirname(this.paymentsFile), { recursive: true });
    const temp = `${this.paymentsFile}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(payments, null, 2));
    await rename(temp, this.paymentsFile);
  }
}
