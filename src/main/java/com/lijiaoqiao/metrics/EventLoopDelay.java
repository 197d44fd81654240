package com.lijiaoqiao.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Event-loop health: a task on each loop every {@code periodMs} notes how late it ran, into
 * {@code ljq_event_loop_delay_seconds{loop}}. A loop kept busy by blocking work or a long handler shows here first.
 */
public final class EventLoopDelay implements AutoCloseable {
  private final List<Tick> ticks = new ArrayList<>();

  public EventLoopDelay(EventLoopGroup loops, MeterRegistry reg, long periodMs) {
    int i = 0;
    for (EventExecutor loop : loops) {
      Timer t = Timer.builder("ljq.event.loop.delay").description("How late a periodic task ran on each event loop")
          .tag("loop", Integer.toString(i++)).serviceLevelObjectives(Buckets.OVERHEAD).register(reg);
      Tick tick = new Tick(loop, t, TimeUnit.MILLISECONDS.toNanos(periodMs));
      ticks.add(tick);
      tick.schedule();
    }
  }

  @Override
  public void close() {
    for (Tick t : ticks) t.stop();
  }

  private static final class Tick implements Runnable {
    private final EventExecutor loop;
    private final Timer timer;
    private final long period;
    private long due;
    private volatile boolean stopped;
    private volatile ScheduledFuture<?> next;

    Tick(EventExecutor loop, Timer timer, long period) {
      this.loop = loop;
      this.timer = timer;
      this.period = period;
    }

    void schedule() {
      if (stopped || loop.isShuttingDown()) return;
      due = System.nanoTime() + period;
      next = loop.schedule(this, period, TimeUnit.NANOSECONDS);
    }

    @Override
    public void run() {
      timer.record(Math.max(0, System.nanoTime() - due), TimeUnit.NANOSECONDS);
      schedule();
    }

    void stop() {
      stopped = true;
      ScheduledFuture<?> f = next;
      if (f != null) f.cancel(false);
    }
  }
}
