package com.lijiaoqiao.http;

import com.lijiaoqiao.ids.SortableIds;

/**
 * Request ids: "req_", the creation millisecond, and 24 random characters (144 bits from a SecureRandom), so no
 * one can guess or enumerate other requests' ids (they appear in errors, logs and support tickets), ids from
 * different nodes never collide, and the records keyed by them are written in time order (see {@link SortableIds}).
 */
public final class RequestIds {
  /** The length of every request id. */
  public static final int LENGTH = SortableIds.length("req_", 18);

  private RequestIds() {}

  public static String next() {
    return SortableIds.next("req_", 18);
  }
}
