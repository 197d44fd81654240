package com.lijiaoqiao.simulator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * A planned SSE response: an ordered list of events, some flagged as "content" (they are subject to ttft/gap timing and
 * count for the cut/stall/malformed faults). Written without blocking; delays use Vert.x timers.
 */
final class SseStream {
  private final List<Buffer> events = new ArrayList<>(64);
  private final List<Boolean> content = new ArrayList<>(64);
  private Buffer malformed;
  private Buffer error;
  private int lastContent = -1;

  void add(Buffer b) {
    events.add(b);
    content.add(Boolean.FALSE);
  }

  void addContent(Buffer b) {
    events.add(b);
    content.add(Boolean.TRUE);
    lastContent = events.size() - 1;
  }

  void malformed(Buffer b) {
    this.malformed = b;
  }

  /** The in-band error event the {@code stream_error} fault sends after {@code after} content events. */
  void error(Buffer b) {
    this.error = b;
  }

  /** Starts writing: latency before headers, ttft before the first content event, gap between content events. */
  void send(Vertx vertx, HttpServerRequest req, Directives d, String fault) {
    new Pump(vertx, req, d, fault).start();
  }

  private final class Pump {
    final Vertx vertx;
    final HttpServerRequest req;
    final HttpServerResponse resp;
    final Directives d;
    final boolean cut;
    final boolean stall;
    final boolean bad;
    final boolean failing;
    final int after;
    int i;
    int seen;
    boolean waited;
    Future<Void> last;

    Pump(Vertx vertx, HttpServerRequest req, Directives d, String fault) {
      this.vertx = vertx;
      this.req = req;
      this.resp = req.response();
      this.d = d;
      this.cut = "cut".equals(fault);
      this.stall = "stall".equals(fault);
      this.bad = "malformed".equals(fault) && malformed != null;
      this.failing = "stream_error".equals(fault) && error != null;
      int a = d.afterOr(2);
      this.after = bad ? Math.max(1, a) : a;
    }

    void start() {
      if (d.latency > 0) {
        vertx.setTimer(d.latency, t -> begin());
      } else {
        begin();
      }
    }

    void begin() {
      if (resp.closed()) {
        return;
      }
      resp.setChunked(true);
      resp.putHeader("content-type", "text/event-stream");
      resp.putHeader("cache-control", "no-cache");
      pump();
    }

    void pump() {
      int n = events.size();
      while (i < n) {
        if (resp.closed()) {
          return;
        }
        Buffer b = events.get(i);
        boolean isContent = content.get(i);
        if ((cut || stall) && seen >= after && (isContent || i > lastContent)) {
          if (cut) {
            cutNow();
          }
          return; // stall: keep the connection open, never write again
        }
        if (failing && seen >= after && (isContent || i > lastContent)) {
          resp.end(error);
          return;
        }
        if (isContent) {
          int delay = seen == 0 ? d.ttft : d.gap;
          if (delay > 0 && !waited) {
            waited = true;
            vertx.setTimer(delay, t -> pump());
            return;
          }
          waited = false;
          seen++;
          if (bad && seen == after) {
            b = malformed;
          }
        }
        last = resp.write(b);
        i++;
      }
      resp.end();
    }

    void cutNow() {
      // A short pause before the close: clients (the JDK's HttpClient among them) may drop bytes they had
      // received but not yet handed over when the connection error arrives with them, which made "cut after
      // N chunks" deliver fewer than N on a loaded machine. The cut itself is unchanged.
      if (last == null) {
        vertx.setTimer(50, t -> req.connection().close());
      } else {
        last.onComplete(x -> vertx.setTimer(50, t -> req.connection().close()));
      }
    }
  }
}
