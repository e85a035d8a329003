import { randomFillSync } from 'node:crypto';
import { newBatchId } from '../core/queue/events-queue.js';
import type { AnonymousBatch, AnonymousEvent } from '../schema/event.js';
import { overloaded } from './errors.js';

/**
 * Group commit: requests add their events to an open micro-batch; the batch is queued as one
 * BullMQ job, and every request in it is answered once the job is in Redis. One Redis round trip
 * per batch instead of per request is what keeps the collector near the speed of a bare route
 * (docs/architecture.md, performance budget).
 *
 * When a batch is queued (the Kafka producer's `linger.ms`, the same trade):
 * - `maxWaitMs` > 0: when it is full, or `maxWaitMs` after its first event;
 * - `maxWaitMs` = 0 (natural batching, the default): at the end of the event-loop turn that
 *   opened it when no batch is on its way to Redis; otherwise as soon as the one on its way is
 *   confirmed, or when it is full. At low load a request waits for nothing but its own round
 *   trip; under load, batches grow with the load (events arriving during one round trip). A fixed
 *   wait instead made every request wait the whole wait, and at 64 connections the collector
 *   spent a third of its time idle, waiting for its own timer.
 *
 * A request's events always travel in one batch, so a request is stored whole or not at all.
 *
 * With several events queues (KANON_REDIS_QUEUES), each queue has its own open batch, its own
 * batch on its way and its own flush timing: a request joins the batch of its site's queue
 * (`laneOf`), so every batch goes whole to one queue; `maxInFlight` bounds them all together.
 */
export interface GroupCommitOptions {
  maxEvents: number;
  /** 0 for natural batching; otherwise how long an open batch waits for more events. */
  maxWaitMs: number;
  /** Batches queued but not yet confirmed; beyond this, new requests are refused with 503. */
  maxInFlight: number;
  enqueue(batch: AnonymousBatch): Promise<void>;
  /** Open batches kept apart (one per events queue); default 1. */
  lanes?: number;
  /** The lane of a request's events (its site's queue), below `lanes`. */
  laneOf?(events: readonly AnonymousEvent[]): number;
  clock?: () => number;
  onFlush?(events: number, outcome: 'queued' | 'failed'): void;
}

/**
 * The random part of batch ids (72 bits each), cut from a pool refilled 512 ids at a time: one
 * randomBytes call per batch showed up at 2 % of the collector's CPU under single-event load.
 */
const RANDOM_BYTES = 9;
const randomPool = Buffer.alloc(RANDOM_BYTES * 512);
let randomOffset = randomPool.length;
function batchRandom(): string {
  if (randomOffset === randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  const start = randomOffset;
  randomOffset += RANDOM_BYTES;
  return randomPool.toString('base64url', start, randomOffset);
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/** One open batch and the batches of its lane on their way. */
interface Lane {
  events: AnonymousEvent[];
  waiters: Waiter[];
  timer: NodeJS.Timeout | undefined;
  immediate: NodeJS.Immediate | undefined;
  inFlight: number;
}

export class GroupCommitter {
  private readonly lanes: Lane[];
  private inFlight = new Set<Promise<void>>();

  constructor(private readonly options: GroupCommitOptions) {
    this.lanes = Array.from({ length: Math.max(1, options.lanes ?? 1) }, () => ({
      events: [],
      waiters: [],
      timer: undefined,
      immediate: undefined,
      inFlight: 0,
    }));
  }

  add(events: readonly AnonymousEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    if (this.inFlight.size >= this.options.maxInFlight) return Promise.reject(overloaded());
    const lane = this.lanes[this.options.laneOf?.(events) ?? 0] ?? this.lanes[0]!;
    if (lane.events.length > 0 && lane.events.length + events.length > this.options.maxEvents)
      this.flushLane(lane);
    const done = new Promise<void>((resolve, reject) => lane.waiters.push({ resolve, reject }));
    for (const event of events) lane.events.push(event);
    if (lane.events.length >= this.options.maxEvents) this.flushLane(lane);
    else this.schedule(lane);
    return done;
  }

  private schedule(lane: Lane): void {
    if (this.options.maxWaitMs > 0) {
      if (!lane.timer) lane.timer = setTimeout(() => this.flushLane(lane), this.options.maxWaitMs);
      return;
    }
    // At the end of the turn, after every request parsed in it has added its events; while a batch
    // is on its way, its confirmation flushes this one (see flushLane).
    if (lane.inFlight === 0 && !lane.immediate) lane.immediate = setImmediate(() => this.flushLane(lane));
  }

  /** Queues the open batches now. */
  flush(): void {
    for (const lane of this.lanes) this.flushLane(lane);
  }

  private flushLane(lane: Lane): void {
    if (lane.timer) {
      clearTimeout(lane.timer);
      lane.timer = undefined;
    }
    if (lane.immediate) {
      clearImmediate(lane.immediate);
      lane.immediate = undefined;
    }
    if (lane.events.length === 0) return;
    const events = lane.events;
    const waiters = lane.waiters;
    lane.events = [];
    lane.waiters = [];
    const now = (this.options.clock ?? Date.now)();
    const batch: AnonymousBatch = { id: newBatchId(now, batchRandom()), events };
    const sent = this.options.enqueue(batch).then(
      () => {
        this.options.onFlush?.(events.length, 'queued');
        for (const waiter of waiters) waiter.resolve();
      },
      (error: unknown) => {
        this.options.onFlush?.(events.length, 'failed');
        for (const waiter of waiters) waiter.reject(error);
      },
    );
    this.inFlight.add(sent);
    lane.inFlight++;
    void sent.finally(() => {
      this.inFlight.delete(sent);
      lane.inFlight--;
      if (lane.events.length > 0) this.schedule(lane);
    });
  }

  /** Flushes the open batch and waits for every batch still in flight (graceful shutdown). */
  async drain(): Promise<void> {
    this.flush();
    await Promise.allSettled([...this.inFlight]);
  }
}
