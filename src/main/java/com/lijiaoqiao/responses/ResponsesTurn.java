package com.lijiaoqiao.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.responses.ResponsesRequest;

/**
 * One {@code POST /v1/responses} as the pipeline carries it: the request, the response's id and creation time
 * (fixed before routing, so every attempt answers with the same), the conversation it continues, and where a
 * finished response is kept.
 */
public final class ResponsesTurn {
  public final ResponsesRequest request;
  public final String id;
  public final long createdAt;
  /** The stored turn continued through previous_response_id, or null. */
  public final ResponsesStore.Stored previous;
  private final ResponsesStore store;
  private final long tenantId;
  /** The client's event stream, once one is open (a failure or a rescue goes on with it). */
  public com.lijiaoqiao.protocol.responses.ResponsesStream stream;

  public ResponsesTurn(ResponsesRequest request, String id, long createdAt, ResponsesStore.Stored previous,
                       ResponsesStore store, long tenantId) {
    this.request = request;
    this.id = id;
    this.createdAt = createdAt;
    this.previous = previous;
    this.store = store;
    this.tenantId = tenantId;
  }

  /** A response that completed (or stopped at its token limit): kept when the client asked to store it. */
  public void completed(ObjectNode response) {
    if (request.store() && store != null) {
      store.put(tenantId, id, previous, request.input(), response);
    }
  }
}
