package com.lijiaoqiao.pipeline;

/**
 * Watches the data plane from inside without steering it (metrics): each upstream attempt, each step of the
 * failover, and the end of every authenticated request. Called on the request's event loop: an implementation must
 * be quick and must not block. {@link RecordStage} hands its observer to each exchange; the default sees nothing.
 */
public interface RequestObserver {
  RequestObserver NONE = new RequestObserver() {};

  /** A step of {@link Failover}'s way through its plan. */
  enum Step {
    /** Another attempt on the same candidate after a retryable failure. */
    RETRY,
    /** On to the next candidate. */
    FALLOVER,
    /** A stream broken after its first byte is handed to a fallback to continue. */
    RESCUE,
    /** The model's candidates are spent: a fallback model (or a larger context) takes over. */
    MODEL_FALLBACK
  }

  /** One upstream attempt ended ({@code provider} its id; {@code nanos} how long it took; status 0 when none). */
  default void attempt(Exchange ex, String provider, String outcome, int status, long nanos) {}

  default void step(Exchange ex, Step step) {}

  /** The request has ended: status, outcome, error code, usage, cost and timings in {@code ex} are final. */
  default void ended(Exchange ex) {}

  /** {@code first}, and {@code alsoOnEnd} told of every end after it (the JSON access log beside the metrics). */
  static RequestObserver withEnd(RequestObserver first, java.util.function.Consumer<Exchange> alsoOnEnd) {
    return new RequestObserver() {
      @Override
      public void attempt(Exchange ex, String provider, String outcome, int status, long nanos) {
        first.attempt(ex, provider, outcome, status, nanos);
      }

      @Override
      public void step(Exchange ex, Step step) {
        first.step(ex, step);
      }

      @Override
      public void ended(Exchange ex) {
        first.ended(ex);
        alsoOnEnd.accept(ex);
      }
    };
  }
}
