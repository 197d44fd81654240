package com.lijiaoqiao.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.List;

/**
 * Vert.x's own HTTP/1 request decoder with two additions it has no option for: it tells the edge when bytes
 * arrive (so the clock for a request's headers starts at their first byte, not at the end of the idle time),
 * and it refuses a request carrying both Transfer-Encoding: chunked and Content-Length. Netty would drop the
 * Content-Length and read chunked, which a proxy in front that trusts the length reads differently: the
 * classic request-smuggling split. The request is marked invalid, so the server's invalid-request handler
 * answers 400 and closes the connection.
 */
final class EdgeDecoder extends VertxHttpRequestDecoder {
  /** The decoder failure the invalid-request handler recognises. */
  static final class AmbiguousLength extends IllegalArgumentException {
    AmbiguousLength() {
      super("Transfer-Encoding together with Content-Length", null);
    }
  }

  private static final byte[] ANTHROPIC_PATH = "/v1/messages".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final Runnable onBytes;
  private boolean atMessageStart = true;
  private boolean anthropicPath;

  EdgeDecoder(HttpServerOptions options, Runnable onBytes) {
    super(options);
    this.onBytes = onBytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    if (in.isReadable()) {
      onBytes.run();
      if (atMessageStart) {
        atMessageStart = false;
        anthropicPath = targetsAnthropic(in);
      }
    }
    int before = out.size();
    super.decode(ctx, in, out);
    for (int i = before; i < out.size(); i++) {
      if (out.get(i) instanceof io.netty.handler.codec.http.LastHttpContent) atMessageStart = true;
    }
  }

  /**
   * Whether the request being decoded names an Anthropic path, read from its first bytes: a request the
   * decoder refuses (bad line endings, a line too long) has no usable path, yet Anthropic clients must still
   * get their own error shape.
   */
  boolean anthropicPath() {
    return anthropicPath;
  }

  private static boolean targetsAnthropic(ByteBuf in) {
    int i = in.readerIndex();
    int end = Math.min(in.writerIndex(), i + 32);
    while (i < end && (in.getByte(i) == '\r' || in.getByte(i) == '\n')) i++;
    while (i < end && in.getByte(i) != ' ') i++; // the method
    i++;
    if (end - i < ANTHROPIC_PATH.length) return false;
    for (int k = 0; k < ANTHROPIC_PATH.length; k++) {
      if (in.getByte(i + k) != ANTHROPIC_PATH[k]) return false;
    }
    return true;
  }

  /** Only HTTP/1.0 and HTTP/1.1, spelled exactly: anything else is a malformed request (400), not a 501. */
  @Override
  protected HttpMessage createMessage(String[] initialLine) {
    if (initialLine.length > 2 && !"HTTP/1.1".equals(initialLine[2]) && !"HTTP/1.0".equals(initialLine[2])) {
      // A stand-in request marked invalid: Vert.x would otherwise answer an unknown version itself (501, no body).
      HttpMessage m = new io.netty.handler.codec.http.DefaultHttpRequest(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
          io.netty.handler.codec.http.HttpMethod.GET, "/bad-request");
      m.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("unsupported HTTP version")));
      return m;
    }
    return super.createMessage(initialLine);
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    super.handleTransferEncodingChunkedWithContentLength(message);
    message.setDecoderResult(DecoderResult.failure(new AmbiguousLength()));
  }
}
