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

  private final Runnable onBytes;

  EdgeDecoder(HttpServerOptions options, Runnable onBytes) {
    super(options);
    this.onBytes = onBytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    if (in.isReadable()) onBytes.run();
    super.decode(ctx, in, out);
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    super.handleTransferEncodingChunkedWithContentLength(message);
    message.setDecoderResult(DecoderResult.failure(new AmbiguousLength()));
  }
}
