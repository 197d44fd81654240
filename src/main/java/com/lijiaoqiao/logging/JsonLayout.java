package com.lijiaoqiao.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object a line: {@code timestamp} (ISO-8601 UTC), {@code level}, {@code logger}, {@code thread},
 * {@code message}, then the MDC's fields and the event's key-value pairs as top-level fields (a field named like
 * one of the five is prefixed with an underscore), and {@code stack} when there is an exception. Only what the
 * code passed to the logger is written, so the scrubbing of secrets before logging holds here as in text.
 */
public final class JsonLayout extends LayoutBase<ILoggingEvent> {
  private static final JsonFactory JSON = new JsonFactory();
  private static final java.util.Set<String> RESERVED = java.util.Set.of("timestamp", "level", "logger", "thread",
      "message", "stack");

  @Override
  public String doLayout(ILoggingEvent e) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("timestamp", Instant.ofEpochMilli(e.getTimeStamp()).toString());
      g.writeStringField("level", e.getLevel().toString());
      g.writeStringField("logger", e.getLoggerName());
      g.writeStringField("thread", e.getThreadName());
      g.writeStringField("message", e.getFormattedMessage());
      Map<String, String> mdc = e.getMDCPropertyMap();
      if (mdc != null) {
        for (var m : mdc.entrySet()) g.writeStringField(field(m.getKey()), m.getValue());
      }
      if (e.getKeyValuePairs() != null) {
        for (KeyValuePair kv : e.getKeyValuePairs()) {
          String name = field(kv.key);
          switch (kv.value) {
            case null -> g.writeNullField(name);
            case Integer i -> g.writeNumberField(name, i);
            case Long l -> g.writeNumberField(name, l);
            case Double d -> g.writeNumberField(name, d);
            case Boolean b -> g.writeBooleanField(name, b);
            default -> g.writeStringField(name, String.valueOf(kv.value));
          }
        }
      }
      if (e.getThrowableProxy() != null) g.writeStringField("stack", ThrowableProxyUtil.asString(e.getThrowableProxy()));
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.append(CoreConstants.LINE_SEPARATOR).toString();
  }

  private static String field(String key) {
    return RESERVED.contains(key) ? "_" + key : key;
  }

  @Override
  public String getContentType() {
    return "application/json";
  }
}
