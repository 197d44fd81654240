package com.lijiaoqiao.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ResponsesStoreTest {
  final AtomicLong now = new AtomicLong(1_000_000);

  static ObjectNode response(String text) {
    ObjectNode r = JsonNodeFactory.instance.objectNode().put("object", "response");
    r.putArray("output").addObject().put("type", "message").put("role", "assistant").put("content", text);
    return r;
  }

  static JsonNode user(String text) {
    return JsonNodeFactory.instance.objectNode().put("role", "user").put("content", text);
  }

  @Test
  void aTenantReadsOnlyItsOwn() {
    ResponsesStore s = new ResponsesStore(60, 10, now::get);
    s.put(1, "resp_a", null, List.of(user("hi")), response("hello"));
    assertThat(s.get(1, "resp_a")).isNotNull();
    assertThat(s.get(2, "resp_a")).isNull();
    assertThat(s.delete(2, "resp_a")).isFalse();
    assertThat(s.get(1, "resp_a")).isNotNull();
  }

  @Test
  void theConversationIsTheInputThenTheOutput() {
    ResponsesStore s = new ResponsesStore(60, 10, now::get);
    s.put(1, "resp_a", null, List.of(user("hi")), response("hello"));
    s.put(1, "resp_b", s.get(1, "resp_a"), List.of(user("again")), response("world"));
    List<JsonNode> c = s.get(1, "resp_b").conversation();
    assertThat(c).extracting(n -> n.get("content").asText()).containsExactly("hi", "hello", "again", "world");
    assertThat(s.get(1, "resp_b").length()).isEqualTo(4);
    // Evicting or deleting the first turn does not break the second's history.
    s.delete(1, "resp_a");
    assertThat(s.get(1, "resp_b").conversation()).hasSize(4);
  }

  @Test
  void expiresAfterItsTtl() {
    ResponsesStore s = new ResponsesStore(60, 10, now::get);
    s.put(1, "resp_a", null, List.of(), response("x"));
    now.addAndGet(59_999);
    assertThat(s.get(1, "resp_a")).isNotNull();
    now.addAndGet(1);
    assertThat(s.get(1, "resp_a")).isNull();
  }

  @Test
  void theOldestIsEvictedPastTheBoundPerTenant() {
    ResponsesStore s = new ResponsesStore(60, 3, now::get);
    for (int i = 0; i < 5; i++) s.put(1, "resp_" + i, null, List.of(), response("x"));
    s.put(2, "resp_other", null, List.of(), response("x"));
    assertThat(s.get(1, "resp_0")).isNull();
    assertThat(s.get(1, "resp_1")).isNull();
    assertThat(s.get(1, "resp_2")).isNotNull();
    assertThat(s.get(1, "resp_4")).isNotNull();
    assertThat(s.get(2, "resp_other")).isNotNull(); // another tenant's traffic never evicts these
    assertThat(s.size()).isEqualTo(4);
  }

  @Test
  void sweepDropsExpired() {
    ResponsesStore s = new ResponsesStore(1, 10, now::get);
    s.put(1, "resp_a", null, List.of(), response("x"));
    now.addAndGet(5_000);
    s.sweep();
    assertThat(s.size()).isZero();
  }

  static ObjectNode withItems(String... ids) {
    ObjectNode r = JsonNodeFactory.instance.objectNode().put("object", "response");
    for (String id : ids) r.withArray("output").addObject().put("id", id).put("type", "message").put("content", id);
    return r;
  }

  /** item_reference (the AI SDK's way of sending an earlier answer back with store: true) finds output items by id. */
  @Test
  void outputItemsAreFoundByIdForTheirTenantAndForgottenWithTheirResponse() {
    ResponsesStore s = new ResponsesStore(60, 2, now::get);
    s.put(1, "resp_a", null, List.of(user("hi")), withItems("msg_a_0", "fc_a_1"));
    assertThat(s.item(1, "fc_a_1").get("content").asText()).isEqualTo("fc_a_1");
    assertThat(s.item(2, "fc_a_1")).isNull(); // another tenant's: as unknown
    assertThat(s.item(1, "msg_nope")).isNull();
    s.put(1, "resp_b", null, List.of(), withItems("msg_b_0"));
    assertThat(s.delete(1, "resp_b")).isTrue();
    assertThat(s.item(1, "msg_b_0")).isNull();
    s.put(1, "resp_c", null, List.of(), withItems("msg_c_0"));
    s.put(1, "resp_d", null, List.of(), withItems("msg_d_0"));
    assertThat(s.item(1, "msg_a_0")).isNull(); // evicted past the bound
    assertThat(s.indexedItems()).isEqualTo(2);
    now.addAndGet(60_000);
    assertThat(s.item(1, "msg_d_0")).isNull(); // expired
    s.sweep();
    assertThat(s.indexedItems()).isZero();
  }

  @Test
  void refusesNonsenseSettings() {
    assertThatThrownBy(() -> new ResponsesStore(0, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ResponsesStore(60, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
