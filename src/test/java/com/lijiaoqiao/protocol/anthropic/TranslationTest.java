package com.lijiaoqiao.protocol.anthropic;

import com.lijiaoqiao.protocol.Json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.TokenUsage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One test per mapping, from payloads shaped like the real APIs' (single quotes stand for double quotes). */
class TranslationTest {
  static ObjectNode j(String s) {
    return (ObjectNode) Json.tryParse(s.replace('\'', '"'));
  }

  static ObjectNode a2o(String anthropic) {
    return AnthropicRequest.parse(j(anthropic).toString().getBytes(StandardCharsets.UTF_8), false).toOpenAi();
  }

  static ObjectNode o2a(String openai) {
    return OpenAiToAnthropic.request(j(openai), "claude-sonnet-4-5");
  }

  // ---- system prompts ----

  @Test
  void systemStringBecomesTheFirstSystemMessage() {
    ObjectNode o = a2o("{'model':'m','max_tokens':100,'system':'Be brief.','messages':[{'role':'user','content':'hi'}]}");
    assertThat(o.get("messages")).isEqualTo(j("[{'role':'system','content':'Be brief.'},{'role':'user','content':'hi'}]"
        .replace("[", "{'a':[").concat("}")).get("a"));
  }

  @Test
  void systemBlocksAreJoinedAndCacheMarkersDropped() {
    ObjectNode o = a2o("{'model':'m','max_tokens':100,'system':[{'type':'text','text':'You are Claude Code.'},"
        + "{'type':'text','text':'Project rules.','cache_control':{'type':'ephemeral'}}],"
        + "'messages':[{'role':'user','content':'hi'}]}");
    assertThat(o.at("/messages/0/content").asText()).isEqualTo("You are Claude Code.\n\nProject rules.");
    assertThat(o.toString()).doesNotContain("cache_control");
  }

  @Test
  void systemRoleInsideAnthropicMessagesStaysInPlace() {
    ObjectNode o = a2o("{'model':'m','max_tokens':100,'messages':[{'role':'system','content':'Rules.'},"
        + "{'role':'user','content':'hi'}]}");
    assertThat(o.at("/messages/0/role").asText()).isEqualTo("system");
    assertThat(o.at("/messages/0/content").asText()).isEqualTo("Rules.");
  }

  @Test
  void systemRoleInsideMessagesIsHoistedForAnthropicUpstreams() {
    AnthropicRequest r = AnthropicRequest.parse(j("{'model':'m','max_tokens':9,'system':'A.','messages':["
        + "{'role':'system','content':'B.'},{'role':'user','content':'hi'}]}").toString().getBytes(), false);
    JsonNode up = Json.tryParse(new String(r.upstreamBody(new byte[0], "m")));
    assertThat(up.get("system")).isEqualTo(j("{'x':[{'type':'text','text':'A.'},{'type':'text','text':'B.'}]}").get("x"));
    assertThat(up.get("messages").size()).isEqualTo(1);
  }

  @Test
  void openAiSystemAndDeveloperMessagesBecomeTheSystemPrompt() {
    ObjectNode one = o2a("{'model':'gpt','messages':[{'role':'system','content':'Be brief.'},{'role':'user','content':'hi'}]}");
    assertThat(one.get("system").asText()).isEqualTo("Be brief.");
    ObjectNode two = o2a("{'model':'gpt','messages':[{'role':'system','content':'A'},{'role':'developer','content':"
        + "[{'type':'text','text':'B'}]},{'role':'user','content':'hi'}]}");
    assertThat(two.get("system")).isEqualTo(j("{'x':[{'type':'text','text':'A'},{'type':'text','text':'B'}]}").get("x"));
  }

  // ---- multi-turn, images ----

  @Test
  void multiTurnKeepsOrderAndMergesSameRoleTurnsForAnthropic() {
    ObjectNode a = o2a("{'model':'gpt','messages':[{'role':'user','content':'a'},{'role':'user','content':'b'},"
        + "{'role':'assistant','content':'c'},{'role':'user','content':'d'}]}");
    assertThat(a.get("messages").size()).isEqualTo(3);
    assertThat(a.at("/messages/0/content/1/text").asText()).isEqualTo("b");
    assertThat(a.at("/messages/1/role").asText()).isEqualTo("assistant");
    ObjectNode o = a2o("{'model':'m','max_tokens':5,'messages':[{'role':'user','content':'a'},"
        + "{'role':'assistant','content':[{'type':'text','text':'c'}]},{'role':'user','content':[{'type':'text','text':'d'}]}]}");
    assertThat(o.at("/messages/1/content").asText()).isEqualTo("c");
    assertThat(o.at("/messages/2/content").asText()).isEqualTo("d");
  }

  @Test
  void imagesBase64AndUrlBothWays() {
    ObjectNode o = a2o("{'model':'m','max_tokens':5,'messages':[{'role':'user','content':[{'type':'text','text':'what?'},"
        + "{'type':'image','source':{'type':'base64','media_type':'image/png','data':'iVBORw0K'}},"
        + "{'type':'image','source':{'type':'url','url':'https://example.com/cat.jpg'}}]}]}");
    assertThat(o.at("/messages/0/content/1/image_url/url").asText()).isEqualTo("data:image/png;base64,iVBORw0K");
    assertThat(o.at("/messages/0/content/2/image_url/url").asText()).isEqualTo("https://example.com/cat.jpg");
    ObjectNode a = o2a("{'model':'gpt','messages':[{'role':'user','content':[{'type':'text','text':'what?'},"
        + "{'type':'image_url','image_url':{'url':'data:image/jpeg;base64,/9j/4AAQ','detail':'high'}},"
        + "{'type':'image_url','image_url':{'url':'https://example.com/cat.jpg'}}]}]}");
    assertThat(a.at("/messages/0/content/1/source")).isEqualTo(
        j("{'type':'base64','media_type':'image/jpeg','data':'/9j/4AAQ'}"));
    assertThat(a.at("/messages/0/content/2/source")).isEqualTo(j("{'type':'url','url':'https://example.com/cat.jpg'}"));
  }

  // ---- tools ----

  @Test
  void toolDefinitionsBothWays() {
    String schema = "{'type':'object','properties':{'city':{'type':'string'}},'required':['city']}";
    ObjectNode o = a2o("{'model':'m','max_tokens':5,'messages':[{'role':'user','content':'x'}],'tools':[{'name':'get_weather',"
        + "'description':'Weather','input_schema':" + schema + ",'cache_control':{'type':'ephemeral'}}]}");
    assertThat(o.at("/tools/0")).isEqualTo(j("{'type':'function','function':{'name':'get_weather','description':'Weather',"
        + "'parameters':" + schema + "}}"));
    ObjectNode a = o2a("{'model':'gpt','messages':[{'role':'user','content':'x'}],'tools':[{'type':'function','function':"
        + "{'name':'get_weather','description':'Weather','parameters':" + schema + "}}]}");
    assertThat(a.at("/tools/0")).isEqualTo(j("{'name':'get_weather','description':'Weather','input_schema':" + schema + "}"));
  }

  @Test
  void toolChoiceBothWays() {
    String pre = "{'model':'m','max_tokens':5,'messages':[{'role':'user','content':'x'}],'tools':[{'name':'f'}],'tool_choice':";
    assertThat(a2o(pre + "{'type':'auto'}}").get("tool_choice").asText()).isEqualTo("auto");
    assertThat(a2o(pre + "{'type':'any'}}").get("tool_choice").asText()).isEqualTo("required");
    assertThat(a2o(pre + "{'type':'none'}}").get("tool_choice").asText()).isEqualTo("none");
    assertThat(a2o(pre + "{'type':'tool','name':'f'}}").get("tool_choice"))
        .isEqualTo(j("{'type':'function','function':{'name':'f'}}"));
    String opre = "{'model':'gpt','messages':[{'role':'user','content':'x'}],'tools':[{'type':'function','function':{'name':'f'}}],"
        + "'tool_choice':";
    assertThat(o2a(opre + "'auto'}").get("tool_choice")).isEqualTo(j("{'type':'auto'}"));
    assertThat(o2a(opre + "'required'}").get("tool_choice")).isEqualTo(j("{'type':'any'}"));
    assertThat(o2a(opre + "'none'}").get("tool_choice")).isEqualTo(j("{'type':'none'}"));
    assertThat(o2a(opre + "{'type':'function','function':{'name':'f'}}}").get("tool_choice"))
        .isEqualTo(j("{'type':'tool','name':'f'}"));
  }

  @Test
  void parallelToolUseSwitchBothWays() {
    ObjectNode o = a2o("{'model':'m','max_tokens':5,'messages':[{'role':'user','content':'x'}],'tools':[{'name':'f'}],"
        + "'tool_choice':{'type':'auto','disable_parallel_tool_use':true}}");
    assertThat(o.get("parallel_tool_calls").asBoolean(true)).isFalse();
    ObjectNode a = o2a("{'model':'gpt','messages':[{'role':'user','content':'x'}],"
        + "'tools':[{'type':'function','function':{'name':'f'}}],'parallel_tool_calls':false}");
    assertThat(a.get("tool_choice")).isEqualTo(j("{'type':'auto','disable_parallel_tool_use':true}"));
  }

  @Test
  void parallelToolCallsAndResultsKeepTheirIds() {
    ObjectNode o = a2o("{'model':'m','max_tokens':5,'messages':[{'role':'user','content':'Paris and Rome?'},"
        + "{'role':'assistant','content':[{'type':'text','text':'Checking.'},"
        + "{'type':'tool_use','id':'toolu_01A','name':'get_weather','input':{'city':'Paris'}},"
        + "{'type':'tool_use','id':'toolu_01B','name':'get_weather','input':{'city':'Rome'}}]},"
        + "{'role':'user','content':[{'type':'tool_result','tool_use_id':'toolu_01A','content':'18C'},"
        + "{'type':'tool_result','tool_use_id':'toolu_01B','content':[{'type':'text','text':'25C'}],'is_error':false},"
        + "{'type':'text','text':'Which is warmer?'}]}]}");
    JsonNode m = o.get("messages");
    assertThat(m.at("/1/content").asText()).isEqualTo("Checking.");
    assertThat(m.at("/1/tool_calls/0")).isEqualTo(j("{'id':'toolu_01A','type':'function','function':{'name':'get_weather',"
        + "'arguments':'{\\'city\\':\\'Paris\\'}'}}".replace("\\'", "\\\"")));
    assertThat(m.at("/1/tool_calls/1/id").asText()).isEqualTo("toolu_01B");
    assertThat(m.get(2)).isEqualTo(j("{'role':'tool','tool_call_id':'toolu_01A','content':'18C'}"));
    assertThat(m.get(3)).isEqualTo(j("{'role':'tool','tool_call_id':'toolu_01B','content':'25C'}"));
    assertThat(m.get(4)).isEqualTo(j("{'role':'user','content':'Which is warmer?'}"));

    ObjectNode a = o2a("{'model':'gpt','messages':[{'role':'user','content':'Paris and Rome?'},"
        + "{'role':'assistant','content':null,'tool_calls':[{'id':'call_1','type':'function','function':{'name':'get_weather',"
        + "'arguments':'{}'}},{'id':'call_2','type':'function','function':{'name':'get_weather','arguments':'{}'}}]},"
        + "{'role':'tool','tool_call_id':'call_1','content':'18C'},{'role':'tool','tool_call_id':'call_2','content':'25C'}]}");
    JsonNode am = a.get("messages");
    assertThat(am.size()).isEqualTo(3);
    assertThat(am.at("/1/content/0")).isEqualTo(j("{'type':'tool_use','id':'call_1','name':'get_weather','input':{}}"));
    assertThat(am.at("/2/content")).isEqualTo(j("{'x':[{'type':'tool_result','tool_use_id':'call_1','content':'18C'},"
        + "{'type':'tool_result','tool_use_id':'call_2','content':'25C'}]}").get("x"));
  }

  @Test
  void toolErrorResultsSayErrorToOpenAi() {
    ObjectNode o = a2o("{'model':'m','max_tokens':5,'messages':[{'role':'user','content':[{'type':'tool_result',"
        + "'tool_use_id':'t1','content':'not found','is_error':true}]}]}");
    assertThat(o.at("/messages/0/content").asText()).isEqualTo("Error: not found");
  }

  // ---- sampling, limits ----

  @Test
  void maxTokensDefaultsAndPrecedence() {
    assertThat(o2a("{'model':'gpt','messages':[{'role':'user','content':'x'}]}").get("max_tokens").asInt())
        .isEqualTo(OpenAiToAnthropic.DEFAULT_MAX_TOKENS);
    assertThat(o2a("{'model':'gpt','max_tokens':50,'max_completion_tokens':70,'messages':[{'role':'user','content':'x'}]}")
        .get("max_tokens").asInt()).isEqualTo(70);
    assertThat(a2o("{'model':'m','max_tokens':321,'messages':[{'role':'user','content':'x'}]}").get("max_tokens").asInt())
        .isEqualTo(321);
  }

  @Test
  void temperatureTopPStopBothWays() {
    ObjectNode o = a2o("{'model':'m','max_tokens':5,'temperature':0.2,'top_p':0.9,'stop_sequences':['END','\\n\\n'],"
        + "'metadata':{'user_id':'u-1'},'messages':[{'role':'user','content':'x'}]}");
    assertThat(o.get("temperature").asDouble()).isEqualTo(0.2);
    assertThat(o.get("top_p").asDouble()).isEqualTo(0.9);
    assertThat(o.get("stop").size()).isEqualTo(2);
    assertThat(o.get("user").asText()).isEqualTo("u-1");
    ObjectNode a = o2a("{'model':'gpt','temperature':0.7,'top_p':0.5,'stop':'END','user':'u-2',"
        + "'messages':[{'role':'user','content':'x'}]}");
    assertThat(a.get("temperature").asDouble()).isEqualTo(0.7);
    assertThat(a.get("top_p").asDouble()).isEqualTo(0.5);
    assertThat(a.get("stop_sequences")).isEqualTo(j("{'x':['END']}").get("x"));
    assertThat(a.at("/metadata/user_id").asText()).isEqualTo("u-2");
  }

  @Test
  void thinkingBecomesReasoningEffortAndStreamsAskForUsage() {
    ObjectNode o = a2o("{'model':'m','max_tokens':20000,'stream':true,'thinking':{'type':'enabled','budget_tokens':10000},"
        + "'messages':[{'role':'user','content':'x'}]}");
    assertThat(o.get("reasoning_effort").asText()).isEqualTo("medium");
    assertThat(o.at("/stream_options/include_usage").asBoolean()).isTrue();
  }

  // ---- refusals ----

  @Test
  void untranslatableFeaturesAreRefusedNamingTheField() {
    String msgs = "'messages':[{'role':'user','content':'x'}]";
    assertRefused(() -> a2o("{'model':'m','max_tokens':5,'top_k':3," + msgs + "}"), "top_k");
    assertRefused(() -> a2o("{'model':'m','max_tokens':5,'container':'c'," + msgs + "}"), "container");
    assertRefused(() -> a2o("{'model':'m','max_tokens':5,'tools':[{'type':'bash_20250124','name':'bash'}]," + msgs + "}"),
        "tools[0].type");
    assertRefused(() -> a2o("{'model':'m','max_tokens':5,'messages':[{'role':'user','content':[{'type':'document',"
        + "'source':{'type':'base64','media_type':'application/pdf','data':'JVBE'}}]}]}"), "messages[0].content[0].type");
    assertRefused(() -> o2a("{'model':'gpt','n':3," + msgs + "}"), "'n'");
    assertRefused(() -> o2a("{'model':'gpt','temperature':1.7," + msgs + "}"), "temperature");
    assertRefused(() -> o2a("{'model':'gpt','logit_bias':{'50256':-100}," + msgs + "}"), "logit_bias");
    assertRefused(() -> o2a("{'model':'gpt','response_format':{'type':'json_object'}," + msgs + "}"), "response_format");
    assertRefused(() -> o2a("{'model':'gpt','messages':[{'role':'user','content':[{'type':'input_audio',"
        + "'input_audio':{'data':'x','format':'wav'}}]}]}"), "messages[0].content[0].type");
  }

  // ---- what only steers the other vendor's server: dropped and named ----

  /** The shape of a Claude Code 2.x turn (trimmed): every field it sends that OpenAI has no use for. */
  static final String CLAUDE_CODE_TURN = "{'model':'claude-sonnet-4-5-20250929','max_tokens':32000,'stream':true,"
      + "'temperature':1,'metadata':{'user_id':'user_abc_account_def_session_ghi'},"
      + "'context_management':{'edits':[{'type':'clear_thinking_20251015','keep':'all'}]},"
      + "'thinking':{'type':'enabled','budget_tokens':31999},"
      + "'system':[{'type':'text','text':'You are Claude Code.','cache_control':{'type':'ephemeral'}}],"
      + "'tools':[{'name':'Read','description':'Reads a file','input_schema':{'type':'object','properties':"
      + "{'path':{'type':'string'}}},'cache_control':{'type':'ephemeral'}}],"
      + "'messages':[{'role':'user','content':[{'type':'text','text':'hi','cache_control':{'type':'ephemeral'}}]}]}";

  @Test
  void aClaudeCodeTurnTranslatesDroppingOnlyServerSteering() {
    AnthropicRequest r = AnthropicRequest.parse(j(CLAUDE_CODE_TURN).toString().getBytes(StandardCharsets.UTF_8), false);
    ObjectNode o = r.toOpenAi();
    assertThat(r.droppedForOpenAi()).containsExactly("context_management", "cache_control");
    assertThat(o.toString()).doesNotContain("cache_control").doesNotContain("context_management");
    assertThat(o.get("user").asText()).isEqualTo("user_abc_account_def_session_ghi"); // mapped, not dropped
    assertThat(o.get("reasoning_effort").asText()).isEqualTo("high");
    assertThat(o.at("/tools/0/function/name").asText()).isEqualTo("Read");
    assertThat(o.at("/messages/1/content").asText()).isEqualTo("hi");
  }

  @Test
  void serviceTierAndCacheMarkersInsideToolResultsAreNamed() {
    AnthropicRequest r = AnthropicRequest.parse(j("{'model':'m','max_tokens':9,'service_tier':'auto','messages':["
        + "{'role':'assistant','content':[{'type':'tool_use','id':'t1','name':'Read','input':{}}]},"
        + "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t1','content':[{'type':'text','text':'x',"
        + "'cache_control':{'type':'ephemeral'}}]}]}]}").toString().getBytes(StandardCharsets.UTF_8), false);
    r.toOpenAi();
    assertThat(r.droppedForOpenAi()).containsExactly("service_tier", "cache_control");
    AnthropicRequest plain = AnthropicRequest.parse(j("{'model':'m','max_tokens':9,'messages':[{'role':'user',"
        + "'content':'hi'}]}").toString().getBytes(StandardCharsets.UTF_8), false);
    assertThat(plain.droppedForOpenAi()).isEmpty();
  }

  @Test
  void whatChangesTheAnswerIsStillRefused() {
    String msgs = "'messages':[{'role':'user','content':'x'}]";
    assertRefused(() -> a2o("{'model':'m','max_tokens':5,'mcp_servers':[{'type':'url','url':'https://x','name':'x'}],"
        + msgs + "}"), "mcp_servers");
    assertRefused(() -> a2o("{'model':'m','max_tokens':5,'container':{'skills':[]}," + msgs + "}"), "container");
  }

  @Test
  void openAiPlatformBookkeepingIsDroppedAndNamed() {
    java.util.Set<String> dropped = new java.util.LinkedHashSet<>();
    ObjectNode a = OpenAiToAnthropic.request(j("{'model':'gpt','store':true,'metadata':{'k':'v'},'service_tier':'auto',"
        + "'prompt_cache_key':'p','user':'u','messages':[{'role':'user','content':'x'}]}"), "claude-sonnet-4-5", dropped);
    assertThat(dropped).containsExactly("store", "metadata", "service_tier", "prompt_cache_key");
    assertThat(a.at("/metadata/user_id").asText()).isEqualTo("u");
    assertThat(a.has("store")).isFalse();
    java.util.Set<String> none = new java.util.LinkedHashSet<>();
    ObjectNode b = OpenAiToAnthropic.request(j("{'model':'gpt','safety_identifier':'s','messages':[{'role':'user',"
        + "'content':'x'}]}"), "claude-sonnet-4-5", none);
    assertThat(none).isEmpty();
    assertThat(b.at("/metadata/user_id").asText()).isEqualTo("s");
  }

  // ---- structured output ----

  @Test
  void jsonSchemaBecomesOutputConfigFormatAndBack() {
    String schema = "{'type':'object','properties':{'city':{'type':'string'}},'required':['city'],"
        + "'additionalProperties':false}";
    ObjectNode a = o2a("{'model':'gpt','response_format':{'type':'json_schema','json_schema':{'name':'place',"
        + "'strict':true,'schema':" + schema + "}},'messages':[{'role':'user','content':'x'}]}");
    assertThat(a.at("/output_config/format")).isEqualTo(j("{'type':'json_schema','schema':" + schema + "}"));
    // the reverse mapping gives the same schema back
    ObjectNode o = a2o("{'model':'m','max_tokens':5,'output_config':" + a.get("output_config").toString().replace('"', '\'')
        + ",'messages':[{'role':'user','content':'x'}]}");
    assertThat(o.at("/response_format/type").asText()).isEqualTo("json_schema");
    assertThat(o.at("/response_format/json_schema/schema")).isEqualTo(j(schema));
    assertThat(o2a("{'model':'gpt','response_format':{'type':'text'},'messages':[{'role':'user','content':'x'}]}")
        .has("output_config")).isFalse();
  }

  @Test
  void jsonObjectAndSchemaLessJsonSchemaAreRefusedClearly() {
    String msgs = "'messages':[{'role':'user','content':'x'}]";
    assertThatThrownBy(() -> o2a("{'model':'gpt','response_format':{'type':'json_object'}," + msgs + "}"))
        .isInstanceOf(GatewayException.class).hasMessageContaining("response_format.type")
        .hasMessageContaining("json_schema");
    assertThatThrownBy(() -> o2a("{'model':'gpt','response_format':{'type':'json_schema','json_schema':{'name':'x'}},"
        + msgs + "}")).isInstanceOf(GatewayException.class).hasMessageContaining("response_format.json_schema.schema");
  }

  static void assertRefused(Runnable r, String field) {
    assertThatThrownBy(r::run).isInstanceOf(GatewayException.class).hasMessageContaining(field)
        .hasMessageContaining("not supported");
  }

  // ---- stop reasons, usage ----

  @Test
  void stopReasonsBothWays() {
    assertThat(StopReasons.toOpenAi("end_turn")).isEqualTo("stop");
    assertThat(StopReasons.toOpenAi("stop_sequence")).isEqualTo("stop");
    assertThat(StopReasons.toOpenAi("max_tokens")).isEqualTo("length");
    assertThat(StopReasons.toOpenAi("tool_use")).isEqualTo("tool_calls");
    assertThat(StopReasons.toOpenAi("refusal")).isEqualTo("content_filter");
    assertThat(StopReasons.toAnthropic("stop")).isEqualTo("end_turn");
    assertThat(StopReasons.toAnthropic("length")).isEqualTo("max_tokens");
    assertThat(StopReasons.toAnthropic("tool_calls")).isEqualTo("tool_use");
    assertThat(StopReasons.toAnthropic("content_filter")).isEqualTo("refusal");
  }

  @Test
  void usageWithCacheTokensBothWays() {
    TokenUsage t = Usage.fromAnthropic(j("{'input_tokens':12,'cache_creation_input_tokens':300,"
        + "'cache_read_input_tokens':2000,'output_tokens':55}"));
    assertThat(t).isEqualTo(new TokenUsage(2312, 55, 2000, false, 300));
    assertThat(Usage.toOpenAi(t).toString()).isEqualTo(j("{'prompt_tokens':2312,'completion_tokens':55,'total_tokens':2367,"
        + "'prompt_tokens_details':{'cached_tokens':2000,'cache_creation_tokens':300}}").toString());
    TokenUsage o = Usage.fromOpenAi(j("{'prompt_tokens':2006,'completion_tokens':300,'total_tokens':2306,"
        + "'prompt_tokens_details':{'cached_tokens':1920,'audio_tokens':0},'completion_tokens_details':{'reasoning_tokens':0}}"));
    assertThat(Usage.toAnthropic(o).toString()).isEqualTo(j("{'input_tokens':86,'cache_creation_input_tokens':0,"
        + "'cache_read_input_tokens':1920,'output_tokens':300}").toString());
  }

  // ---- whole responses ----

  @Test
  void anthropicMessageToChatCompletion() {
    ObjectNode c = AnthropicToOpenAi.response(j("{'id':'msg_01X','type':'message','role':'assistant','model':'claude-sonnet-4-5',"
        + "'content':[{'type':'thinking','thinking':'Let me see.','signature':'sig'},{'type':'text','text':'Checking.'},"
        + "{'type':'tool_use','id':'toolu_01A','name':'get_weather','input':{'city':'Paris'}}],"
        + "'stop_reason':'tool_use','stop_sequence':null,'usage':{'input_tokens':10,'cache_read_input_tokens':5,"
        + "'cache_creation_input_tokens':0,'output_tokens':20}}"), "my-model");
    assertThat(c.get("model").asText()).isEqualTo("my-model");
    assertThat(c.get("object").asText()).isEqualTo("chat.completion");
    JsonNode msg = c.at("/choices/0/message");
    assertThat(msg.get("content").asText()).isEqualTo("Checking.");
    assertThat(msg.get("reasoning_content").asText()).isEqualTo("Let me see.");
    assertThat(msg.at("/tool_calls/0/id").asText()).isEqualTo("toolu_01A");
    assertThat(Json.tryParse(msg.at("/tool_calls/0/function/arguments").asText())).isEqualTo(j("{'city':'Paris'}"));
    assertThat(c.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(c.at("/usage/prompt_tokens").asLong()).isEqualTo(15);
    assertThat(c.at("/usage/prompt_tokens_details/cached_tokens").asLong()).isEqualTo(5);
  }

  @Test
  void chatCompletionToAnthropicMessage() {
    ObjectNode m = OpenAiToAnthropic.response(j("{'id':'chatcmpl-1','object':'chat.completion','created':1,'model':'deepseek-chat',"
        + "'choices':[{'index':0,'message':{'role':'assistant','content':null,'reasoning_content':'Hmm.','tool_calls':["
        + "{'id':'call_1','type':'function','function':{'name':'get_weather','arguments':'{\\'city\\':\\'Paris\\'}'}}]},"
        .replace("\\'", "\\\"") + "'finish_reason':'tool_calls'}],'usage':{'prompt_tokens':100,'completion_tokens':9,"
        + "'total_tokens':109,'prompt_tokens_details':{'cached_tokens':64}}}"), "my-model");
    assertThat(m.get("type").asText()).isEqualTo("message");
    assertThat(m.get("model").asText()).isEqualTo("my-model");
    assertThat(m.at("/content/0/type").asText()).isEqualTo("thinking");
    assertThat(m.at("/content/1")).isEqualTo(j("{'type':'tool_use','id':'call_1','name':'get_weather','input':{'city':'Paris'}}"));
    assertThat(m.get("stop_reason").asText()).isEqualTo("tool_use");
    assertThat(m.get("usage").toString()).isEqualTo(j("{'input_tokens':36,'cache_creation_input_tokens':0,"
        + "'cache_read_input_tokens':64,'output_tokens':9}").toString());
  }

  // ---- streams ----

  static final String[] ANTHROPIC_EVENTS = {
      "{'type':'message_start','message':{'id':'msg_01','type':'message','role':'assistant','model':'claude-sonnet-4-5',"
          + "'content':[],'stop_reason':null,'stop_sequence':null,'usage':{'input_tokens':25,'cache_creation_input_tokens':0,"
          + "'cache_read_input_tokens':100,'output_tokens':1}}}",
      "{'type':'content_block_start','index':0,'content_block':{'type':'text','text':''}}",
      "{'type':'ping'}",
      "{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'Let me check.'}}",
      "{'type':'content_block_stop','index':0}",
      "{'type':'content_block_start','index':1,'content_block':{'type':'tool_use','id':'toolu_01','name':'get_weather','input':{}}}",
      "{'type':'content_block_delta','index':1,'delta':{'type':'input_json_delta','partial_json':''}}",
      "{'type':'content_block_delta','index':1,'delta':{'type':'input_json_delta','partial_json':'{\\'city\\': \\'Pa'}}",
      "{'type':'content_block_delta','index':1,'delta':{'type':'input_json_delta','partial_json':'ris\\'}'}}",
      "{'type':'content_block_stop','index':1}",
      "{'type':'message_delta','delta':{'stop_reason':'tool_use','stop_sequence':null},'usage':{'output_tokens':42}}",
      "{'type':'message_stop'}"};

  @Test
  void anthropicEventsBecomeOpenAiChunksOneByOne() {
    AnthropicToOpenAiStream t = new AnthropicToOpenAiStream("my-model", true);
    List<List<JsonNode>> perEvent = new ArrayList<>();
    for (String e : ANTHROPIC_EVENTS) {
      StringBuilder out = new StringBuilder();
      String data = e.replace("\\'", "\\\"").replace('\'', '"');
      t.onEvent(Json.tryParse(data).get("type").asText(), data, out);
      perEvent.add(frames(out));
    }
    assertThat(perEvent.get(0).get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    assertThat(perEvent.get(3).get(0).at("/choices/0/delta/content").asText()).isEqualTo("Let me check.");
    JsonNode header = perEvent.get(5).get(0).at("/choices/0/delta/tool_calls/0");
    assertThat(header.get("index").asInt()).isEqualTo(0);
    assertThat(header.get("id").asText()).isEqualTo("toolu_01");
    assertThat(header.at("/function/name").asText()).isEqualTo("get_weather");
    assertThat(perEvent.get(7).get(0).at("/choices/0/delta/tool_calls/0/function/arguments").asText())
        .isEqualTo("{\"city\": \"Pa");
    assertThat(perEvent.get(8)).hasSize(1); // each fragment relayed as it arrived
    assertThat(perEvent.get(10).get(0).at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    List<JsonNode> end = perEvent.get(11);
    assertThat(end.get(0).get("choices")).isEmpty();
    assertThat(end.get(0).at("/usage/prompt_tokens").asLong()).isEqualTo(125);
    assertThat(end.get(0).at("/usage/prompt_tokens_details/cached_tokens").asLong()).isEqualTo(100);
    assertThat(end.get(0).at("/usage/completion_tokens").asLong()).isEqualTo(42);
    assertThat(end.get(1).asText()).isEqualTo("[DONE]");
    assertThat(t.complete()).isTrue();
    assertThat(t.usage()).isEqualTo(new TokenUsage(125, 42, 100, false, 0));
  }

  static final String[] OPENAI_CHUNKS = {
      "{'id':'chatcmpl-9','object':'chat.completion.chunk','created':1,'model':'gpt-4o-mini','choices':[{'index':0,"
          + "'delta':{'role':'assistant','content':''},'finish_reason':null}]}",
      "{'id':'chatcmpl-9','object':'chat.completion.chunk','created':1,'model':'gpt-4o-mini','choices':[{'index':0,"
          + "'delta':{'content':'Checking.'},'finish_reason':null}]}",
      "{'id':'chatcmpl-9','object':'chat.completion.chunk','created':1,'model':'gpt-4o-mini','choices':[{'index':0,"
          + "'delta':{'tool_calls':[{'index':0,'id':'call_A','type':'function','function':{'name':'get_weather','arguments':''}}]},"
          + "'finish_reason':null}]}",
      "{'id':'chatcmpl-9','object':'chat.completion.chunk','created':1,'model':'gpt-4o-mini','choices':[{'index':0,"
          + "'delta':{'tool_calls':[{'index':0,'function':{'arguments':'{\\u0022city\\u0022:'}}]},'finish_reason':null}]}",
      "{'id':'chatcmpl-9','object':'chat.completion.chunk','created':1,'model':'gpt-4o-mini','choices':[{'index':0,"
          + "'delta':{'tool_calls':[{'index':1,'id':'call_B','type':'function','function':{'name':'get_time','arguments':'{}'}}]},"
          + "'finish_reason':null}]}",
      "{'id':'chatcmpl-9','object':'chat.completion.chunk','created':1,'model':'gpt-4o-mini','choices':[{'index':0,"
          + "'delta':{},'finish_reason':'tool_calls'}]}",
      "{'id':'chatcmpl-9','object':'chat.completion.chunk','created':1,'model':'gpt-4o-mini','choices':[],"
          + "'usage':{'prompt_tokens':80,'completion_tokens':30,'total_tokens':110,'prompt_tokens_details':{'cached_tokens':64}}}",
      "[DONE]"};

  @Test
  void openAiChunksBecomeAnthropicEventsOneByOne() {
    OpenAiToAnthropicStream t = new OpenAiToAnthropicStream("my-model", 77);
    List<List<JsonNode>> perEvent = new ArrayList<>();
    for (String c : OPENAI_CHUNKS) {
      StringBuilder out = new StringBuilder();
      t.onEvent(null, c.replace('\'', '"'), out);
      perEvent.add(frames(out));
    }
    List<JsonNode> first = perEvent.get(0);
    assertThat(first.get(0).get("type").asText()).isEqualTo("message_start");
    assertThat(first.get(0).at("/message/model").asText()).isEqualTo("my-model");
    assertThat(first.get(0).at("/message/usage/input_tokens").asLong()).isEqualTo(77);
    assertThat(first.get(1).get("type").asText()).isEqualTo("ping");
    assertThat(types(perEvent.get(1))).containsExactly("content_block_start", "content_block_delta");
    assertThat(perEvent.get(1).get(1).at("/delta/text").asText()).isEqualTo("Checking.");
    assertThat(types(perEvent.get(2))).containsExactly("content_block_stop", "content_block_start");
    assertThat(perEvent.get(2).get(1).get("content_block"))
        .isEqualTo(j("{'type':'tool_use','id':'call_A','name':'get_weather','input':{}}"));
    assertThat(perEvent.get(3).get(0).at("/delta/type").asText()).isEqualTo("input_json_delta");
    assertThat(perEvent.get(3).get(0).at("/index").asInt()).isEqualTo(1);
    assertThat(types(perEvent.get(4))).containsExactly("content_block_stop", "content_block_start", "content_block_delta");
    assertThat(perEvent.get(4).get(1).get("index").asInt()).isEqualTo(2);
    assertThat(types(perEvent.get(5))).containsExactly("content_block_stop");
    assertThat(perEvent.get(6)).isEmpty();
    List<JsonNode> end = perEvent.get(7);
    assertThat(types(end)).containsExactly("message_delta", "message_stop");
    assertThat(end.get(0).at("/delta/stop_reason").asText()).isEqualTo("tool_use");
    assertThat(end.get(0).get("usage")).isEqualTo(j("{'input_tokens':16,'cache_creation_input_tokens':0,"
        + "'cache_read_input_tokens':64,'output_tokens':30}"));
    assertThat(t.usage()).isEqualTo(new TokenUsage(80, 30, 64, false, 0));
  }

  @Test
  void reasoningContentBecomesAThinkingBlock() {
    OpenAiToAnthropicStream t = new OpenAiToAnthropicStream("m", 1);
    StringBuilder out = new StringBuilder();
    t.onEvent(null, "{\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Think.\"}}]}", out);
    t.onEvent(null, "{\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Answer.\"},\"finish_reason\":\"stop\"}]}", out);
    t.finish(out);
    List<JsonNode> f = frames(out);
    assertThat(types(f)).containsExactly("message_start", "ping", "content_block_start", "content_block_delta",
        "content_block_stop", "content_block_start", "content_block_delta", "content_block_stop", "message_delta",
        "message_stop");
    assertThat(f.get(3).at("/delta")).isEqualTo(j("{'type':'thinking_delta','thinking':'Think.'}"));
    assertThat(f.get(8).at("/delta/stop_reason").asText()).isEqualTo("end_turn");
  }

  @Test
  void anthropicPassthroughKeepsEventsByteForByteAndReadsUsage() {
    AnthropicPassthroughStream t = new AnthropicPassthroughStream();
    StringBuilder out = new StringBuilder();
    for (String e : ANTHROPIC_EVENTS) {
      String data = e.replace("\\'", "\\\"").replace('\'', '"');
      t.onEvent(Json.tryParse(data).get("type").asText(), data, out);
      assertThat(out.toString()).endsWith("data: " + data + "\n\n");
    }
    assertThat(t.complete()).isTrue();
    assertThat(t.usage()).isEqualTo(new TokenUsage(125, 42, 100, false, 0));
  }

  @Test
  void inBandUpstreamErrorsAreReportedNotRelayed() {
    StringBuilder out = new StringBuilder();
    AnthropicToOpenAiStream a = new AnthropicToOpenAiStream("m", false);
    a.onEvent("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}", out);
    assertThat(a.upstreamError()).isEqualTo("Overloaded");
    OpenAiToAnthropicStream o = new OpenAiToAnthropicStream("m", 1);
    o.onEvent(null, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}", out);
    assertThat(o.upstreamError()).isEqualTo("boom");
    AnthropicPassthroughStream p = new AnthropicPassthroughStream();
    p.onEvent("error", "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"x\"}}", out);
    assertThat(p.upstreamError()).isEqualTo("x");
    assertThat(out).isEmpty(); // the relay ends the stream with the gateway's own error instead
    assertThat(a.complete() || o.complete() || p.complete()).isFalse();
  }

  static List<JsonNode> frames(CharSequence sse) {
    List<JsonNode> out = new ArrayList<>();
    for (String line : sse.toString().split("\n")) {
      if (!line.startsWith("data: ")) continue;
      String d = line.substring(6);
      out.add(d.equals("[DONE]") ? Json.F.textNode("[DONE]") : Json.tryParse(d));
    }
    return out;
  }

  static List<String> types(List<JsonNode> frames) {
    return frames.stream().map(f -> f.get("type").asText()).toList();
  }
}
