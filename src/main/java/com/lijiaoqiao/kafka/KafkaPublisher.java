package com.lijiaoqiao.kafka;

import com.lijiaoqiao.events.DomainEvent;
import com.lijiaoqiao.events.Publisher;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox relay's way to Kafka: each event a record on its topic, keyed by tenant (so a tenant's events stay in
 * order on one partition), its value {@link EventJson}, its id also in the header {@code event_id}. The producer is
 * idempotent with acks=all, so the brokers keep each send once; a batch the relay publishes again (it died before
 * marking it) comes twice, which consumers de-duplicate by event id. A batch succeeds only when every record of it
 * was acknowledged. The topics are made (idempotently) before the first batch. Called on the relay's worker thread.
 */
public final class KafkaPublisher implements Publisher, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaPublisher.class);
  public static final String EVENT_ID_HEADER = "event_id";
  public static final String TYPE_HEADER = "type";
  private final KafkaSettings settings;
  private final KafkaTopics topics;
  private Producer<String, String> producer;
  private volatile boolean broken;

  public KafkaPublisher(KafkaSettings settings, KafkaTopics topics) {
    this.settings = settings;
    this.topics = topics;
  }

  @Override
  public synchronized Future<Void> publish(List<DomainEvent> batch) {
    if (batch.isEmpty()) return Future.succeededFuture();
    Producer<String, String> p;
    try {
      topics.ensure();
      p = producer();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Future.failedFuture(e);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Promise<Void> done = Promise.promise();
    AtomicInteger left = new AtomicInteger(batch.size());
    for (DomainEvent e : batch) {
      ProducerRecord<String, String> r = new ProducerRecord<>(topics.name(e.topic()), null, e.at().toEpochMilli(),
          EventJson.key(e), EventJson.write(e));
      r.headers().add(EVENT_ID_HEADER, e.id().getBytes(StandardCharsets.UTF_8));
      r.headers().add(TYPE_HEADER, e.type().getBytes(StandardCharsets.UTF_8));
      try {
        p.send(r, (meta, ex) -> {
          if (ex != null) {
            if (!(ex instanceof RetriableException)) broken = true;
            done.tryFail(ex);
          } else if (left.decrementAndGet() == 0) {
            done.tryComplete();
          }
        });
      } catch (RuntimeException ex) { // the producer refused the record (closed, fenced, too large, no metadata)
        broken = true;
        done.tryFail(ex);
        break;
      }
    }
    return done.future();
  }

  /** The producer, a new one after a failure it cannot recover from. */
  private Producer<String, String> producer() {
    if (producer != null && broken) {
      log.info("replacing the Kafka producer after a failed send");
      closeProducer(Duration.ofSeconds(1));
    }
    if (producer == null) {
      producer = new KafkaProducer<>(settings.producerProps());
      broken = false;
    }
    return producer;
  }

  private void closeProducer(Duration wait) {
    try {
      producer.close(wait);
    } catch (RuntimeException e) {
      log.debug("closing the Kafka producer: {}", e.toString());
    }
    producer = null;
  }

  @Override
  public synchronized void close() {
    if (producer != null) closeProducer(Duration.ofSeconds(5));
  }
}
