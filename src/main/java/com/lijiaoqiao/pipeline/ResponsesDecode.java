package com.lijiaoqiao.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.Endpoint;
import com.lijiaoqiao.protocol.OpenAiRequest;
import com.lijiaoqiao.protocol.responses.ResponsesOutput;
import com.lijiaoqiao.protocol.responses.ResponsesRequest;
import com.lijiaoqiao.responses.ResponsesStore;
import com.lijiaoqiao.responses.ResponsesTurn;
import java.util.List;
import java.util.Map;

/**
 * Decodes {@code POST /v1/responses}: validates it, resolves previous_response_id and item_reference items against
 * the tenant's stored responses (in memory: no database call), and gives the pipeline the chat-completions view it
 * works with, so limits, the reservation (max_output_tokens), routing and billing see one shape.
 */
final class ResponsesDecode {
  private ResponsesDecode() {}

  static void decode(Exchange ex, ResponsesStore store) {
    ResponsesRequest r = ResponsesRequest.parse(ex.rawBody);
    if (r.hasItemReferences()) {
      long tenant = ex.principal.tenantId();
      r.resolveItemReferences(id -> store == null ? null : store.item(tenant, id));
    }
    List<JsonNode> history = List.of();
    ResponsesStore.Stored prev = null;
    if (r.previousResponseId() != null) {
      // Unknown, expired, deleted and another tenant's ids answer alike: nothing to learn from the difference.
      prev = store == null ? null : store.get(ex.principal.tenantId(), r.previousResponseId());
      if (prev == null) {
        throw new GatewayException(ErrorCode.COMMON_001, "'previous_response_id': no stored response with id '"
            + r.previousResponseId() + "' (unknown, expired, deleted, or created with store: false).", "未找到 previous_response_id 指定的响应。",
            Map.of("param", "previous_response_id"), null);
      }
      if (prev.length() + r.input().size() > ResponsesRequest.MAX_INPUT_ITEMS) {
        // The same bound as on a request's own input: a chain cannot grow a conversation without limit.
        throw new GatewayException(ErrorCode.COMMON_001, "'previous_response_id': the conversation would have more"
            + " than " + ResponsesRequest.MAX_INPUT_ITEMS + " items; start a new one or send a shorter history.",
            "对话过长。", Map.of("param", "previous_response_id"), null);
      }
      history = prev.conversation();
    }
    ex.parsed = OpenAiRequest.parse(Endpoint.CHAT_COMPLETIONS, r.toChat(history));
    ex.responses = new ResponsesTurn(r, ResponsesOutput.newId(), System.currentTimeMillis() / 1000, prev, store,
        ex.principal.tenantId());
  }
}
