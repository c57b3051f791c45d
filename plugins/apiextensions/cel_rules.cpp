#include "cel_rules.h"

#include <boost/json.hpp>
#include <cstdio>

#include "schema_validation.h"
#include "ukube/base64.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/names.h"

namespace ukube::apiextensions {
namespace {

namespace json = boost::json;
using machinery::Errors;
using machinery::FieldPath;
using machinery::quote;

// The largest request the API server takes: what bounds a string, list or map the schema
// leaves unbounded, for cost estimates.
constexpr uint64_t kMaxRequestBytes = 3 * 1024 * 1024;

uint64_t saturating_mul(uint64_t a, uint64_t b) {
  return a != 0 && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

// The fewest bytes a value of the schema takes in JSON.
uint64_t min_serialized_size(const SchemaNode* s) {
  if (!s || s->int_or_string || s->type.empty()) return 1;
  if (s->type == "string") return 2;                        // ""
  if (s->type == "boolean") return 4;                       // true
  if (s->type == "object" || s->type == "array") return 2;  // {} []
  return 1;
}

const SchemaNode& string_schema() {
  static const SchemaNode node = [] {
    SchemaNode n;
    n.type = "string";
    return n;
  }();
  return node;
}

// apiVersion, kind and metadata.name/generateName: what rules on a resource (the root, or
// an embedded resource) see besides the schema's own properties.
const std::map<std::string, SchemaNode, std::less<>>& resource_fields() {
  static const auto fields = [] {
    // Members named as the JSON names them: the names need no escaping.
    const auto named = [](SchemaNode node, const char* name) {
      node.cel_name = name;
      node.cel_key = cel::Value(name);
      return node;
    };
    SchemaNode meta;
    meta.type = "object";
    meta.properties["name"] = named(string_schema(), "name");
    meta.properties["generateName"] = named(string_schema(), "generateName");
    meta.cel_type_name = "Object.metadata";
    std::map<std::string, SchemaNode, std::less<>> f;
    f["apiVersion"] = named(string_schema(), "apiVersion");
    f["kind"] = named(string_schema(), "kind");
    f["metadata"] = named(meta, "metadata");
    return f;
  }();
  return fields;
}

// The CEL type of a schema node, as Kubernetes declares it for rules (SchemaDeclType).
cel::TypePtr type_of(const SchemaNode& s, bool resource) {
  if (s.int_or_string) return cel::types::dyn();
  if (s.type == "boolean") return cel::types::boolean();
  if (s.type == "integer") return cel::types::int64();
  if (s.type == "number") return cel::types::double_();
  if (s.type == "string") {
    if (s.format == "date-time") return cel::types::timestamp();
    if (s.format == "duration") return cel::types::duration();
    const uint64_t max = s.max_length ? static_cast<uint64_t>(*s.max_length) : kMaxRequestBytes - 2;
    return cel::types::sized(s.format == "byte" ? cel::types::bytes() : cel::types::string(), max,
                             s.min_length ? static_cast<uint64_t>(*s.min_length) : 0);
  }
  if (s.type == "array") {
    const uint64_t max = s.max_items ? static_cast<uint64_t>(*s.max_items)
                                     : (kMaxRequestBytes - 2) / (min_serialized_size(s.items.get()) + 1);
    return cel::types::sized(
        cel::types::list(s.items ? type_of(*s.items, s.items->embedded_resource) : cel::types::dyn()), max,
        s.min_items ? static_cast<uint64_t>(*s.min_items) : 0);
  }
  if (s.type == "object") {
    if (s.additional_properties && s.properties.empty()) {
      const uint64_t max = s.max_properties ? static_cast<uint64_t>(*s.max_properties)
                                            : (kMaxRequestBytes - 2) /
                                                  (min_serialized_size(s.additional_properties.get()) + 4);
      return cel::types::sized(
          cel::types::map(cel::types::string(),
                          type_of(*s.additional_properties, s.additional_properties->embedded_resource)),
          max);
    }
    if (s.properties.empty() && !resource && s.preserve_unknown) return cel::types::dyn();
    auto t = std::make_shared<cel::Type>();
    t->kind = cel::Type::Kind::Object;
    t->name = s.cel_type_name.empty() ? "Object" : s.cel_type_name;
    const auto add = [&](const std::map<std::string, SchemaNode, std::less<>>& properties) {
      for (const auto& [key, child] : properties)
        if (!child.cel_name.empty() && !t->field(child.cel_name))
          t->fields.push_back({child.cel_name, type_of(child, child.embedded_resource)});
    };
    // A resource's apiVersion, kind and metadata are the API server's, whatever the schema says.
    if (resource) add(resource_fields());
    add(s.properties);
    t->max_size = t->fields.size();
    return t;
  }
  return cel::types::dyn();
}

// A JSON value as CEL sees it without a schema (free-form and int-or-string values).
cel::Value dyn_value(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return {};
    case json::kind::bool_: return cel::Value(v.get_bool());
    case json::kind::int64: return cel::Value(v.get_int64());
    case json::kind::uint64: return cel::Value(v.get_uint64());
    case json::kind::double_: return cel::Value(v.get_double());
    case json::kind::string: return cel::Value(std::string(v.get_string()));
    case json::kind::array: {
      std::vector<cel::Value> out;
      for (const auto& item : v.get_array()) out.push_back(dyn_value(item));
      return cel::Value(std::move(out));
    }
    case json::kind::object: {
      cel::MapData out;
      for (const auto& [key, member] : v.get_object())
        out.entries.emplace_back(cel::Value(std::string(key)), dyn_value(member));
      return cel::Value(std::move(out));
    }
  }
  return {};
}

// Property names (as the JSON spells them) of the members to build.
using FieldFilter = std::vector<std::string>;

cel::Value value_of(const json::value& v, const SchemaNode& s, bool resource,
                    const FieldFilter* only = nullptr);

void add_members(cel::MapData& out, const json::object& o,
                 const std::map<std::string, SchemaNode, std::less<>>& properties, const FieldFilter* only) {
  const auto add = [&](std::string_view key, const json::value& member) {
    const auto prop = properties.find(key);
    if (prop == properties.end() || prop->second.cel_name.empty() ||
        out.find(std::string_view(prop->second.cel_name)))
      return;
    out.entries.emplace_back(prop->second.cel_key,
                             value_of(member, prop->second, prop->second.embedded_resource));
  };
  if (only) {
    // A few members out of many: look those up rather than walk them all.
    out.entries.reserve(out.entries.size() + only->size());
    for (const auto& key : *only)
      if (const json::value* member = o.if_contains(key)) add(key, *member);
    return;
  }
  for (const auto& [key, member] : o) add(key, member);
}

// A JSON value as its schema types it: integers as int, numbers as double, date-time strings
// as timestamps, objects with properties as objects named by their place in the schema.
// With `only`, an object gets just those members (the ones its rules read).
cel::Value value_of(const json::value& v, const SchemaNode& s, bool resource, const FieldFilter* only) {
  if (v.is_null()) return {};
  if (s.int_or_string || s.type.empty()) return dyn_value(v);
  if (s.type == "integer") {
    if (auto i = machinery::as_int(v)) return cel::Value(*i);
    return dyn_value(v);
  }
  if (s.type == "number") {
    if (auto d = machinery::as_number(v)) return cel::Value(*d);
    return dyn_value(v);
  }
  if (s.type == "string" && v.is_string()) {
    const std::string_view text = v.get_string();
    if (s.format == "date-time")
      if (auto t = cel::parse_timestamp(text)) return cel::Value(*t);
    if (s.format == "duration")
      if (auto d = cel::parse_duration(text)) return cel::Value(*d);
    if (s.format == "byte")
      if (auto data = base64_decode(text)) return cel::Value::bytes(std::move(*data));
    return cel::Value(std::string(text));
  }
  if (s.type == "array" && v.is_array()) {
    std::vector<cel::Value> out;
    out.reserve(v.get_array().size());
    for (const auto& item : v.get_array())
      out.push_back(s.items ? value_of(item, *s.items, s.items->embedded_resource) : dyn_value(item));
    return cel::Value(std::move(out));
  }
  if (s.type == "object" && v.is_object()) {
    const json::object& o = v.get_object();
    if (s.additional_properties && s.properties.empty()) {
      cel::MapData out;
      for (const auto& [key, member] : o)
        out.entries.emplace_back(
            cel::Value(std::string(key)),
            value_of(member, *s.additional_properties, s.additional_properties->embedded_resource));
      return cel::Value(std::move(out));
    }
    if (s.properties.empty() && !resource && s.preserve_unknown) return dyn_value(v);
    cel::MapData out;
    out.type_name = s.cel_type_name.empty() ? "Object" : s.cel_type_name;
    if (resource) add_members(out, o, resource_fields(), only);
    add_members(out, o, s.properties, only);
    return cel::Value(std::move(out));
  }
  return dyn_value(v);
}

// ---- compiling

// Go's %#v of the rule, as upstream shows it in a compile error.
std::string go_rule(const json::object& r) {
  const auto text = [&](const char* key) { return quote(machinery::string_at(r, {key})); };
  const auto* reason = r.if_contains("reason");
  const auto* optional_old_self = r.if_contains("optionalOldSelf");
  return "apiextensions.ValidationRule{Rule:" + text("rule") + ", Message:" + text("message") +
         ", MessageExpression:" + text("messageExpression") +
         ", Reason:(*apiextensions.FieldValueErrorReason)(" +
         (reason && reason->is_string() ? "0xc000a1e0b0" : "nil") + "), FieldPath:" + text("fieldPath") +
         ", OptionalOldSelf:(*bool)(" +
         (optional_old_self && optional_old_self->is_bool() ? "0xc000a1e0b8" : "nil") + ")}";
}

std::string cost_message(const std::string& what, uint64_t cost, uint64_t limit) {
  const double factor = static_cast<double>(cost) / static_cast<double>(limit);
  char text[64];
  if (factor > 100.0)
    std::snprintf(text, sizeof text, "more than 100x");
  else if (factor < 1.5)
    std::snprintf(text, sizeof text, "%fx", factor);
  else
    std::snprintf(text, sizeof text, "%.1fx", factor);
  return what + " exceeds budget by factor of " + text +
         " (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, "
         "and "
         "strings are declared)";
}

bool has_newlines(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

std::string trimmed(std::string_view s) {
  const size_t begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(begin, end - begin + 1));
}

struct Compiler {
  Errors* errors;
  uint64_t total_cost = 0;

  // Names, type names and rules, top down; `cardinality` is how many times a value of this
  // node can occur in one object.
  bool walk(SchemaNode& s, const std::string& type_name, bool resource, const FieldPath* path,
            uint64_t cardinality) {
    s.cel_type_name = type_name;
    bool below = false;
    for (auto& [key, child] : s.properties) {
      child.cel_name = cel::escape_field_name(key).value_or("");
      child.cel_key = cel::Value(child.cel_name);
      std::optional<FieldPath> child_path;
      if (path) child_path = path->child("properties").key(key);
      below |= walk(child, type_name + "." + key, child.embedded_resource,
                    child_path ? &*child_path : nullptr, cardinality);
    }
    const auto nested = [&](std::shared_ptr<const SchemaNode>& shared, const char* field, uint64_t count) {
      if (!shared) return;
      auto copy = std::make_shared<SchemaNode>(*shared);
      std::optional<FieldPath> child_path;
      if (path) child_path = path->child(field);
      below |= walk(*copy, type_name + ".@" + std::string(field == std::string("items") ? "idx" : "elem"),
                    copy->embedded_resource, child_path ? &*child_path : nullptr,
                    saturating_mul(cardinality, count));
      shared = std::move(copy);
    };
    if (s.items || s.additional_properties) {
      // How many items or entries the node may hold: each one multiplies its rules' cost.
      const uint64_t count = type_of(s, resource)->max_size;
      nested(s.items, "items", count);
      nested(s.additional_properties, "additionalProperties", count);
    }
    if (!s.validations.empty()) {
      compile_rules(s, resource, path, cardinality);
      below = true;
    }
    s.cel_rules_below = below;
    return below;
  }

  void compile_rules(SchemaNode& s, bool resource, const FieldPath* path, uint64_t cardinality) {
    const cel::TypePtr self = type_of(s, resource);
    auto rules = std::make_shared<CelRules>();
    for (size_t i = 0; i < s.validations.size(); ++i) {
      const json::object* r = s.validations[i].if_object();
      if (!r) continue;
      std::optional<FieldPath> rule_path;
      if (path) rule_path = path->child("x-kubernetes-validations").index(i);
      CelRule rule;
      rule.rule = machinery::string_at(*r, {"rule"});
      rule.message = machinery::string_at(*r, {"message"});
      rule.reason = machinery::string_at(*r, {"reason"});
      rule.field_path = machinery::string_at(*r, {"fieldPath"});
      rule.optional_old_self = machinery::bool_at(*r, {"optionalOldSelf"}).value_or(false);
      const std::string expression = machinery::string_at(*r, {"messageExpression"});
      if (errors && !check_fields(*r, rule, expression, *rule_path)) continue;
      if (trimmed(rule.rule).empty()) continue;
      const cel::Env env{
          {{"self", self}, {"oldSelf", rule.optional_old_self ? cel::types::optional(self) : self}}};
      try {
        rule.program = cel::compile(rule.rule, env);
        if (rule.program->result_type()->kind != cel::Type::Kind::Bool &&
            rule.program->result_type()->kind != cel::Type::Kind::Dyn)
          throw std::invalid_argument("cel expression must evaluate to a bool");
      } catch (const cel::CompileError& e) {
        if (errors)
          errors->invalid(rule_path->child("rule"), go_rule(*r),
                          std::string("compilation failed: ") + e.what());
        continue;
      } catch (const std::invalid_argument& e) {
        if (errors) errors->invalid(rule_path->child("rule"), go_rule(*r), e.what());
        continue;
      }
      rule.uses_old_self = rule.program->uses_variable(1);
      const uint64_t cost = saturating_mul(rule.program->estimated_cost().max, cardinality);
      if (errors) {
        if (cost > kEstimatedRuleCostLimit)
          errors->forbidden(rule_path->child("rule"),
                            cost_message("estimated rule cost", cost, kEstimatedRuleCostLimit));
        total_cost = total_cost > UINT64_MAX - cost ? UINT64_MAX : total_cost + cost;
        if (!rule.uses_old_self && r->contains("optionalOldSelf"))
          errors->invalid(rule_path->child("optionalOldSelf"), rule.optional_old_self ? "true" : "false",
                          "may not be set if oldSelf is not used in rule");
      }
      if (!trimmed(expression).empty()) {
        try {
          rule.message_expression = cel::compile(expression, env);
          const auto kind = rule.message_expression->result_type()->kind;
          if (kind != cel::Type::Kind::String && kind != cel::Type::Kind::Dyn)
            throw std::invalid_argument("must evaluate to a string");
        } catch (const cel::CompileError& e) {
          if (errors)
            errors->invalid(rule_path->child("messageExpression"), go_rule(*r),
                            std::string("messageExpression compilation failed: ") + e.what());
          continue;
        } catch (const std::invalid_argument& e) {
          if (errors) errors->invalid(rule_path->child("messageExpression"), go_rule(*r), e.what());
          continue;
        }
        const uint64_t message_cost =
            saturating_mul(rule.message_expression->estimated_cost().max, cardinality);
        if (errors && message_cost > kEstimatedRuleCostLimit)
          errors->forbidden(
              rule_path->child("messageExpression"),
              cost_message("estimated messageExpression cost", message_cost, kEstimatedRuleCostLimit));
        total_cost = total_cost > UINT64_MAX - message_cost ? UINT64_MAX : total_cost + message_cost;
      }
      rules->rules.push_back(std::move(rule));
    }
    // Only the members the rules select need building for them, when they select members.
    if (self->kind == cel::Type::Kind::Object) {
      FieldFilter fields;
      bool whole = false;
      for (const CelRule& rule : rules->rules)
        for (const auto* program : {&rule.program, &rule.message_expression})
          for (size_t variable : {0, 1}) {
            if (!program->has_value()) continue;
            const auto used = (*program)->fields_used(variable);
            whole = whole || !used;
            if (!used) continue;
            // Rules name members as CEL does; the conversion looks them up as JSON does.
            for (const auto& name : *used) {
              const auto by_cel_name = [&](const auto& properties) {
                for (const auto& [key, child] : properties)
                  if (child.cel_name == name && std::find(fields.begin(), fields.end(), key) == fields.end())
                    fields.push_back(key);
              };
              by_cel_name(s.properties);
              if (resource) by_cel_name(resource_fields());
            }
          }
      if (!whole) rules->fields = std::move(fields);
    }
    s.cel_rules = std::move(rules);
  }

  // The rule's own fields, as upstream checks them before compiling.
  bool check_fields(const json::object& r, const CelRule& rule, const std::string& expression,
                    const FieldPath& p) {
    const size_t before = errors->count();
    const std::string message = trimmed(rule.message);
    if (trimmed(rule.rule).empty())
      errors->required(p.child("rule"), "rule is not specified");
    else if (!rule.message.empty() && message.empty())
      errors->invalid(p.child("message"), quote(rule.message), "message must be non-empty if specified");
    else if (has_newlines(message))
      errors->invalid(p.child("message"), quote(rule.message), "message must not contain line breaks");
    else if (has_newlines(trimmed(rule.rule)) && message.empty())
      errors->required(p.child("message"), "message must be specified if rule contains line breaks");
    if (!expression.empty() && trimmed(expression).empty())
      errors->required(p.child("messageExpression"), "messageExpression must be non-empty if specified");
    if (r.contains("reason") && rule.reason != "FieldValueInvalid" && rule.reason != "FieldValueForbidden" &&
        rule.reason != "FieldValueRequired" && rule.reason != "FieldValueDuplicate")
      errors->unsupported(
          p.child("reason"), rule.reason,
          {"FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"});
    if (!rule.field_path.empty() && trimmed(rule.field_path).empty())
      errors->invalid(p.child("fieldPath"), quote(rule.field_path),
                      "fieldPath must be non-empty if specified");
    if (has_newlines(rule.field_path))
      errors->invalid(p.child("fieldPath"), quote(rule.field_path), "fieldPath must not contain line breaks");
    return errors->count() == before;
  }
};

// ---- evaluating

struct Evaluation {
  std::vector<FieldError>& out;
  int64_t budget = static_cast<int64_t>(kRuntimeCostBudget);

  bool exhausted() const { return budget < 0; }

  // Where a rule reports: the node's path, then the rule's fieldPath (".a.b" or "['a']").
  static FieldPath at(const FieldPath& p, const std::string& field_path) {
    if (field_path.empty()) return p;
    FieldPath out = p;
    size_t i = 0;
    while (i < field_path.size()) {
      if (field_path[i] == '.') {
        size_t end = field_path.find_first_of(".[", i + 1);
        if (end == std::string::npos) end = field_path.size();
        out = out.child(field_path.substr(i + 1, end - i - 1));
        i = end;
      } else if (field_path.compare(i, 2, "['") == 0) {
        const size_t end = field_path.find("']", i + 2);
        if (end == std::string::npos) break;
        out = out.child(field_path.substr(i + 2, end - i - 2));
        i = end + 2;
      } else {
        break;
      }
    }
    return out;
  }

  // Errors on the resource itself name no field: upstream prints its nil path.
  static FieldPath reported(const FieldPath& p) { return p.str().empty() ? FieldPath("<nil>") : p; }

  void fail(const FieldPath& at_path, const std::string& shown_type, const std::string& detail,
            const std::string& reason) {
    const FieldPath p = reported(at_path);
    Errors e(out);
    if (reason == "FieldValueForbidden")
      e.forbidden(p, detail);
    else if (reason == "FieldValueRequired")
      e.required(p, detail);
    else if (reason == "FieldValueDuplicate")
      e.duplicate(p, quote(shown_type));
    else
      e.invalid(p, quote(shown_type), detail);
  }

  void rules(const json::value& v, const SchemaNode& s, bool resource, const json::value* old,
             const FieldPath& node_path) {
    // What errors need is built only when there is one: most objects keep their rules.
    const std::string& shown_type = s.type;
    const auto invalid = [&](const std::string& detail) {
      Errors(out).invalid(reported(node_path), quote(shown_type), detail);
    };
    if (budget <= 0) {
      invalid("validation failed due to running out of cost budget, no further validation rules will be run");
      budget = -1;
      return;
    }
    // Ratcheting: a value the update leaves as it was is not held to rules that ignore oldSelf.
    const bool unchanged = old && *old == v;
    std::optional<cel::Value> self, old_self;
    for (const CelRule& rule : s.cel_rules->rules) {
      if (!rule.program) continue;
      if (rule.uses_old_self ? (!old && !rule.optional_old_self) : unchanged) continue;
      const FieldFilter* only = s.cel_rules->fields ? &*s.cel_rules->fields : nullptr;
      if (!self) self = value_of(v, s, resource, only);
      if (old && !old_self) old_self = value_of(*old, s, resource, only);
      const cel::Value variables[] = {
          *self, rule.optional_old_self
                     ? (old ? cel::Value::optional_of(*old_self) : cel::Value::optional_none())
                     : (old_self ? *old_self : cel::Value())};
      uint64_t cost = 0;
      const cel::Value result = rule.program->evaluate(variables, cost, kPerCallCostLimit);
      const auto name = [&] { return trimmed(rule.message.empty() ? rule.rule : rule.message); };
      if (static_cast<int64_t>(cost) > budget) {
        invalid(
            "validation failed due to running out of cost budget, no further validation rules will be run");
        budget = -1;
        return;
      }
      budget -= static_cast<int64_t>(cost);
      if (result.is_error()) {
        const std::string& error = result.as_string();
        if (error.rfind("no such overload", 0) == 0) {
          invalid(
              "'" + error +
              "': call arguments did not match a supported operator, function or macro signature for rule: " +
              name());
        } else if (error.rfind(cel::kCostLimitExceeded, 0) == 0) {
          invalid("'" + error +
                  "': no further validation rules will be run due to call cost exceeds limit for rule: " +
                  name());
          budget = -1;
          return;
        } else {
          invalid(error + " evaluating rule: " + name());
        }
        continue;
      }
      if (result.kind() == cel::Value::Kind::Bool && result.as_bool()) continue;
      std::string detail = rule.message.empty() ? "failed rule: " + name() : trimmed(rule.message);
      if (rule.message_expression) {
        uint64_t message_cost = 0;
        const cel::Value message =
            rule.message_expression->evaluate(variables, message_cost, kPerCallCostLimit);
        budget -= static_cast<int64_t>(message_cost);
        if (message.kind() == cel::Value::Kind::String) {
          const std::string text = trimmed(message.as_string());
          if (!text.empty() && !has_newlines(text) && text.size() <= 5 * 1024) detail = text;
        }
      }
      fail(at(node_path, rule.field_path), shown_type, detail, rule.reason);
    }
  }

  void walk(const json::value& v, const SchemaNode& s, bool resource, const json::value* old,
            const FieldPath& p) {
    if (!s.cel_rules_below || v.is_null() || exhausted()) return;
    if (s.cel_rules) rules(v, s, resource, old, p);
    if (exhausted()) return;
    if (const auto* o = v.if_object()) {
      members(*o, s, old ? old->if_object() : nullptr, p);
    } else if (const auto* a = v.if_array(); a && s.items && s.items->cel_rules_below) {
      for (size_t i = 0; i < a->size(); ++i) {
        walk((*a)[i], *s.items, s.items->embedded_resource, correlated_item(s, (*a)[i], old), p.index(i));
        if (exhausted()) return;
      }
    }
  }

  void members(const json::object& o, const SchemaNode& s, const json::object* old_object,
               const FieldPath& p) {
    for (const auto& [key, member] : o) {
      const SchemaNode* child = nullptr;
      if (auto prop = s.properties.find(std::string_view(key)); prop != s.properties.end())
        child = &prop->second;
      else if (s.additional_properties)
        child = s.additional_properties.get();
      if (!child || !child->cel_rules_below) continue;
      walk(member, *child, child->embedded_resource, old_object ? old_object->if_contains(key) : nullptr,
           p.child(key));
      if (exhausted()) return;
    }
  }
};

}  // namespace

void attach_cel_rules(SchemaNode& root, Errors* errors, const FieldPath* schema_path) {
  Compiler compiler{errors};
  compiler.walk(root, "Object", true, errors ? schema_path : nullptr, 1);
  if (errors && schema_path && compiler.total_cost > kEstimatedSchemaCostLimit)
    errors->forbidden(
        *schema_path,
        cost_message("x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema",
                     compiler.total_cost, kEstimatedSchemaCostLimit));
}

void check_cel_rules(const json::object& object, const SchemaNode& root, std::vector<FieldError>& out,
                     const json::object* old) {
  if (!root.cel_rules_below) return;
  for (const auto& e : out)
    if (e.reason == "FieldValueTypeInvalid" || e.reason == "FieldValueNotSupported") {
      Errors(out).invalid(
          FieldPath("<nil>"), "\"null\"",
          "some validation rules were not checked because the object was invalid; correct the "
          "existing errors to complete validation");
      return;
    }
  Evaluation evaluation{out};
  if (root.cel_rules) {
    // Rules on the whole resource are rare: only they pay for a copy of it as a JSON value.
    const json::value self(object);
    const json::value before = old ? json::value(*old) : json::value();
    evaluation.rules(self, root, true, old ? &before : nullptr, FieldPath());
    if (evaluation.exhausted()) return;
  }
  evaluation.members(object, root, old, FieldPath());
}

}  // namespace ukube::apiextensions
