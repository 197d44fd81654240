package com.lijiaoqiao.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Closing a connection while the client is still sending (a request refused for its oversized headers) makes the
 * kernel reset it, and the reset can destroy the refusal before the client reads it. For a connection marked
 * {@link #WANTED}, a close first ends only the output (the answer is complete and followed by FIN), then discards
 * what the client still sends and closes once it has been quiet for a moment — never later than {@link #MAX_MS}.
 */
final class LingeringClose extends ChannelDuplexHandler {
  /** Set on a channel whose refusal should survive the client's unread bytes. */
  static final AttributeKey<Boolean> WANTED = AttributeKey.valueOf("ljq.lingerClose");
  static final long QUIET_MS = 200;
  static final long MAX_MS = 2_000;

  private boolean lingering;
  private long lastReadNanos;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (lingering) {
      lastReadNanos = System.nanoTime();
      ReferenceCountUtil.release(msg); // the refused request's rest: read and dropped
      return;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
    if (lingering || !Boolean.TRUE.equals(ctx.channel().attr(WANTED).get())
        || !(ctx.channel() instanceof DuplexChannel duplex) || !ctx.channel().isActive()) {
      super.close(ctx, promise);
      return;
    }
    lingering = true;
    lastReadNanos = System.nanoTime();
    long start = lastReadNanos;
    ctx.channel().config().setAutoRead(true);
    duplex.shutdownOutput().addListener(f -> check(ctx, promise, start));
  }

  private void check(ChannelHandlerContext ctx, ChannelPromise promise, long start) {
    long now = System.nanoTime();
    if (!ctx.channel().isActive() || now - lastReadNanos >= TimeUnit.MILLISECONDS.toNanos(QUIET_MS)
        || now - start >= TimeUnit.MILLISECONDS.toNanos(MAX_MS)) {
      ctx.close(promise);
      return;
    }
    ctx.executor().schedule(() -> check(ctx, promise, start), QUIET_MS / 2, TimeUnit.MILLISECONDS);
  }
}
