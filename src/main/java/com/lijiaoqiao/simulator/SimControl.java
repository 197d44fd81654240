package com.lijiaoqiao.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;

/** The control API under {@code /_sim/}: global and per-model directives, stats, reset. */
final class SimControl {
  private SimControl() {}

  static void handle(SimState state, HttpServerRequest req, String path) {
    HttpMethod m = req.method();
    switch (path) {
      case "/_sim/control" -> {
        if (m == HttpMethod.PUT || m == HttpMethod.POST) {
          req.body().onSuccess(buf -> {
            String spec;
            String model;
            try {
              JsonNode n = JsonOut.MAPPER.readTree(buf.getBytes());
              JsonNode dn = n == null ? null : n.get("directives");
              spec = dn == null || dn.isNull() ? null : dn.asText();
              JsonNode mn = n == null ? null : n.get("model");
              model = mn == null || mn.isNull() ? null : mn.asText();
              Directives.of(null, spec); // validate
            } catch (Directives.BadDirective e) {
              SimHandler.sendJson(req, 400, controlError(e.getMessage()));
              return;
            } catch (Exception e) {
              SimHandler.sendJson(req, 400, controlError("body must be {\"directives\":\"k=v;...\"[,\"model\":\"m\"]}"));
              return;
            }
            boolean clear = spec == null || spec.isBlank();
            if (model == null) {
              state.global = clear ? null : spec;
            } else if (clear) {
              state.perModel.remove(model);
            } else {
              state.perModel.put(model, spec);
            }
            SimHandler.sendJson(req, 200, controlBody(state));
          });
        } else if (m == HttpMethod.DELETE) {
          state.global = null;
          state.perModel.clear();
          SimHandler.sendJson(req, 200, controlBody(state));
        } else {
          SimHandler.sendJson(req, 200, controlBody(state));
        }
      }
      case "/_sim/stats" -> SimHandler.sendJson(req, 200, JsonOut.write(g -> {
        g.writeStartObject();
        g.writeNumberField("requests", state.requests.sum());
        g.writeObjectFieldStart("by_path");
        for (Map.Entry<String, Long> e : state.byPathSnapshot().entrySet()) {
          g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeEndObject();
      }));
      case "/_sim/stats/reset" -> {
        state.resetStats();
        SimHandler.sendJson(req, 200, Buffer.buffer("{\"requests\":0,\"by_path\":{}}"));
      }
      case "/_sim/keys/revoke", "/_sim/keys/restore" -> {
        String key = req.getParam("key");
        if (key == null || key.isEmpty()) {
          SimHandler.sendJson(req, 400, controlError("key is required"));
          return;
        }
        if (path.endsWith("revoke")) state.revoked.add(key);
        else state.revoked.remove(key);
        SimHandler.sendJson(req, 200, Buffer.buffer("{\"status\":\"ok\"}"));
      }
      case "/_sim/reset" -> {
        state.resetStats();
        state.global = null;
        state.perModel.clear();
        state.revoked.clear();
        state.faultCounters.clear();
        state.clearCache();
        SimHandler.sendJson(req, 200, Buffer.buffer("{\"status\":\"ok\"}"));
      }
      default -> SimHandler.sendJson(req, 404, controlError("unknown control path " + path));
    }
  }

  private static Buffer controlBody(SimState state) {
    String g = state.global;
    return JsonOut.write(gen -> {
      gen.writeStartObject();
      if (g == null) {
        gen.writeNullField("directives");
      } else {
        gen.writeStringField("directives", g);
      }
      gen.writeObjectFieldStart("models");
      for (Map.Entry<String, String> e : new java.util.TreeMap<>(state.perModel).entrySet()) {
        gen.writeStringField(e.getKey(), e.getValue());
      }
      gen.writeEndObject();
      gen.writeEndObject();
    });
  }

  private static Buffer controlError(String msg) {
    return JsonOut.write(g -> {
      g.writeStartObject();
      g.writeObjectFieldStart("error");
      g.writeStringField("message", msg);
      g.writeEndObject();
      g.writeEndObject();
    });
  }
}
