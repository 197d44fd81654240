package com.lijiaoqiao.simulator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Streaming JSON output straight into Netty buffers, plus small byte-template helpers. */
final class JsonOut {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final JsonFactory FACTORY = MAPPER.getFactory();

  private JsonOut() {}

  @FunctionalInterface
  interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  /** Writes a JSON document via the generator; prefix/suffix are raw ASCII (e.g. "data: " and "\n\n"). */
  static Buffer write(int sizeHint, byte[] prefix, Writer w, byte[] suffix) {
    ByteBuf bb = Unpooled.buffer(sizeHint);
    if (prefix != null) {
      bb.writeBytes(prefix);
    }
    try (JsonGenerator g = FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(bb))) {
      w.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (suffix != null) {
      bb.writeBytes(suffix);
    }
    return BufferInternal.buffer(bb);
  }

  static Buffer write(Writer w) {
    return write(512, null, w, null);
  }

  static String string(Writer w) {
    return write(w).toString(StandardCharsets.UTF_8);
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** prefix + "quoted json string" + suffix, in one buffer. */
  static Buffer template(byte[] prefix, String value, byte[] suffix) {
    byte[] q = JsonStringEncoder.getInstance().quoteAsUTF8(value);
    ByteBuf bb = Unpooled.buffer(prefix.length + q.length + suffix.length + 2);
    bb.writeBytes(prefix).writeByte('"').writeBytes(q).writeByte('"').writeBytes(suffix);
    return BufferInternal.buffer(bb);
  }

  /** A JSON string literal (with quotes) for embedding into templates. */
  static String quote(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }
}
