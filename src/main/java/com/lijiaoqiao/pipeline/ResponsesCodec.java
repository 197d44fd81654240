package com.lijiaoqiao.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.StreamTranslator;
import com.lijiaoqiao.protocol.TokenUsage;
import com.lijiaoqiao.protocol.responses.ResponsesOutput;
import com.lijiaoqiao.protocol.responses.ResponsesStream;
import com.lijiaoqiao.responses.ResponsesTurn;

/**
 * RelayCodecs' Responses ingress, encoding from the hub: a chat answer (whatever the upstream spoke, decoded to the
 * hub first) becomes a Responses object or event stream, and the finished response is kept for
 * previous_response_id. The request side needs nothing here: its chat view is the hub request.
 */
final class ResponsesCodec {
  private ResponsesCodec() {}

  /** @param decoder the upstream's events → chat chunks; null when the upstream speaks chat */
  static StreamTranslator stream(Exchange ex, StreamTranslator decoder) {
    ResponsesTurn turn = ex.responses;
    // A new stream per attempt (one that failed before its first byte sent nothing); the last is the client's.
    turn.stream = new ResponsesStream(turn.request, turn.id, turn.createdAt, ex.clientModel(), decoder, turn::completed);
    return turn.stream;
  }

  static RelayCodecs.Whole whole(Exchange ex, ObjectNode chat, TokenUsage usage, String served) {
    ResponsesTurn turn = ex.responses;
    ObjectNode response = ResponsesOutput.fromChat(chat, turn.request, turn.id, turn.createdAt, ex.clientModel());
    if (response == null) return null;
    byte[] bytes = RelayCodecs.bytes(response);
    turn.completed(response);
    return new RelayCodecs.Whole(bytes, usage, served);
  }
}
