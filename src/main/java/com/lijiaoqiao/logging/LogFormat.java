package com.lijiaoqiao.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import com.lijiaoqiao.app.ConfigLoader;
import java.util.Iterator;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * {@code logging.format}: {@code text} keeps logback.xml as it is; {@code json} swaps the encoder of every
 * console/file appender on the root logger for {@link JsonLayout} (same targets, same levels).
 */
public final class LogFormat {
  private LogFormat() {}

  public static void check(String format) {
    String f = format == null ? "" : format.trim().toLowerCase(Locale.ROOT);
    if (!f.equals("text") && !f.equals("json")) {
      throw new ConfigLoader.ConfigException("logging.format must be text or json (got '" + format + "')");
    }
  }

  public static boolean isJson(String format) {
    return format != null && format.trim().equalsIgnoreCase("json");
  }

  /** Applies the format to logback (call once at start, before the gateway logs). Returns the appenders changed. */
  public static int apply(String format) {
    check(format);
    return LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx ? apply(ctx, format) : 0;
  }

  /** As {@link #apply(String)}, on the given logback context. */
  public static int apply(LoggerContext ctx, String format) {
    check(format);
    if (!isJson(format)) return 0;
    ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    int changed = 0;
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof OutputStreamAppender<ILoggingEvent> out) {
        JsonLayout layout = new JsonLayout();
        layout.setContext(ctx);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(ctx);
        encoder.setLayout(layout);
        encoder.start();
        out.setEncoder(encoder); // in place: stopping the appender would close its stream (a file, stderr)
        changed++;
      }
    }
    return changed;
  }
}
