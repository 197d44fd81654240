package com.lijiaoqiao.kafka;

import com.lijiaoqiao.events.DomainEvent;
import com.lijiaoqiao.events.EventSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events from Kafka: each subscription a consumer of its group (seed §7.4: notification-service on llm.events,
 * billing-service on llm.billing) on its own thread. Offsets are committed only for records whose handler returned
 * (at least once); a handler that throws gets the same record again after a back-off, from where it failed.
 * A record that is not an event is logged and skipped.
 */
public final class KafkaEventSource implements EventSource, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaEventSource.class);
  private final KafkaSettings settings;
  private final KafkaTopics topics;
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private final Map<String, Set<String>> topicsByGroup = new ConcurrentHashMap<>();

  public KafkaEventSource(KafkaSettings settings, KafkaTopics topics) {
    this.settings = settings;
    this.topics = topics;
  }

  @Override
  public void subscribe(String topic, String group, Handler handler) {
    start(topic, group, handler, null);
  }

  @Override
  public void subscribeBatch(String topic, String group, BatchHandler handler) {
    start(topic, group, null, handler);
  }

  /** Every group subscribed here (its id on the cluster) and its topics (their names on the cluster): for lag. */
  public Map<String, Set<String>> groups() {
    return Map.copyOf(topicsByGroup);
  }

  private void start(String topic, String group, Handler one, BatchHandler many) {
    topicsByGroup.computeIfAbsent(settings.group(group), g -> new TreeSet<>()).add(topics.name(topic));
    Subscription s = new Subscription(topic, group, one, many);
    subscriptions.add(s);
    s.thread = Thread.ofPlatform().daemon().name("kafka-" + group + "-" + topic).start(s::run);
  }

  @Override
  public void close() {
    for (Subscription s : subscriptions) s.stop();
    for (Subscription s : subscriptions) s.join();
    subscriptions.clear();
  }

  private final class Subscription {
    final String topic;
    final String group;
    final Handler one;
    final BatchHandler many;
    volatile boolean running = true;
    volatile KafkaConsumer<String, String> consumer;
    Thread thread;

    Subscription(String topic, String group, Handler one, BatchHandler many) {
      this.topic = topic;
      this.group = group;
      this.one = one;
      this.many = many;
    }

    void run() {
      try (KafkaConsumer<String, String> c = new KafkaConsumer<>(settings.consumerProps(group, group + "-" + topic))) {
        consumer = c;
        while (running && !topicsReady()) pause();
        c.subscribe(List.of(topics.name(topic)));
        while (running) {
          try {
            ConsumerRecords<String, String> records = c.poll(Duration.ofMillis(500));
            if (!records.isEmpty()) deliver(c, records);
          } catch (WakeupException e) {
            if (running) log.debug("{} on {} woken up", group, topic);
          } catch (KafkaException e) {
            if (!running) break;
            log.warn("consumer {} on {}: {}; polling again", group, topic, e.toString());
            pause();
          }
        }
      } catch (RuntimeException e) {
        if (running) log.error("consumer {} on {} stopped: {}", group, topic, e.toString(), e);
      }
    }

    private boolean topicsReady() {
      try {
        topics.ensure();
        return true;
      } catch (InterruptedException e) {
        running = false;
        return false;
      } catch (RuntimeException e) {
        log.warn("consumer {} waits for the topics: {}", group, e.getMessage());
        return false;
      }
    }

    /** Hands the records over, commits what was handled, and rewinds to what was not. */
    private void deliver(KafkaConsumer<String, String> c, ConsumerRecords<String, String> records) {
      List<ConsumerRecord<String, String>> ordered = new ArrayList<>(records.count());
      for (TopicPartition tp : records.partitions()) ordered.addAll(records.records(tp));
      int handled = 0;
      Exception failure = null;
      if (one != null) {
        for (; handled < ordered.size() && running; handled++) {
          DomainEvent e = parse(ordered.get(handled));
          if (e == null) continue;
          try {
            one.handle(e);
          } catch (Exception ex) {
            failure = ex;
            break;
          }
        }
      } else {
        List<DomainEvent> events = new ArrayList<>(ordered.size());
        for (ConsumerRecord<String, String> r : ordered) {
          DomainEvent e = parse(r);
          if (e != null) events.add(e);
        }
        try {
          if (!events.isEmpty()) many.handle(events);
          handled = ordered.size();
        } catch (Exception ex) {
          failure = ex;
        }
      }
      commit(c, ordered.subList(0, handled));
      if (handled < ordered.size()) {
        Map<TopicPartition, Long> rewind = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> r : ordered.subList(handled, ordered.size())) {
          rewind.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset());
        }
        rewind.forEach(c::seek);
      }
      if (failure != null) {
        log.warn("consumer {} failed on {} (it comes again in {} ms): {}", group, topic, settings.retryBackoffMs(),
            failure.toString());
        pause();
      }
    }

    private void commit(KafkaConsumer<String, String> c, List<ConsumerRecord<String, String>> done) {
      if (done.isEmpty()) return;
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      for (ConsumerRecord<String, String> r : done) {
        offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
      }
      try {
        c.commitSync(offsets);
      } catch (WakeupException e) {
        c.commitSync(offsets); // closing: the work is done, keep it
      } catch (KafkaException e) { // a rebalance moved the partitions: their records come again, to someone
        log.info("consumer {} could not commit on {}: {}", group, topic, e.toString());
      }
    }

    private DomainEvent parse(ConsumerRecord<String, String> r) {
      try {
        return EventJson.read(r.value());
      } catch (IllegalArgumentException | NullPointerException e) {
        log.warn("skipping a record that is not an event: {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
            e.getMessage());
        return null;
      }
    }

    private void pause() {
      long until = System.nanoTime() + settings.retryBackoffMs() * 1_000_000L;
      while (running && System.nanoTime() < until) {
        try {
          Thread.sleep(Math.min(100, settings.retryBackoffMs()));
        } catch (InterruptedException e) {
          running = false;
        }
      }
    }

    void stop() {
      running = false;
      KafkaConsumer<String, String> c = consumer;
      if (c != null) c.wakeup();
    }

    void join() {
      try {
        if (thread != null) thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
