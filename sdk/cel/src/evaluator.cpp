// Walks the checked tree. Errors are values: && and || absorb one when the other side
// decides the result, all() and exists() when another element does. Running past the cost
// limit cancels the whole evaluation, and nothing absorbs that.
#include <algorithm>

#include "program_node.h"

namespace ukube::cel {
namespace {

using Node = Program::Node;
using VK = Value::Kind;

uint64_t cost_size(const Value& v) {
  switch (v.kind()) {
    case VK::String:
    case VK::Bytes: return v.as_string().size();
    case VK::List: return v.as_list().size();
    case VK::Map: return v.as_map().entries.size();
    default: return 1;
  }
}

bool fits(const TypePtr& param, const Value& v) {
  switch (param->kind) {
    case Type::Kind::Dyn:
    case Type::Kind::Param: return true;
    case Type::Kind::Null: return v.kind() == VK::Null;
    case Type::Kind::Bool: return v.kind() == VK::Bool;
    case Type::Kind::Int: return v.kind() == VK::Int;
    case Type::Kind::Uint: return v.kind() == VK::Uint;
    case Type::Kind::Double: return v.kind() == VK::Double;
    case Type::Kind::String: return v.kind() == VK::String;
    case Type::Kind::Bytes: return v.kind() == VK::Bytes;
    case Type::Kind::List:
      // An overload for a list of some type fits a dyn list whose elements are of it.
      return v.kind() == VK::List && (v.as_list().empty() || fits(param->params[0], v.as_list().front()));
    case Type::Kind::Map:
    case Type::Kind::Object: return v.kind() == VK::Map;
    case Type::Kind::Duration: return v.kind() == VK::Duration;
    case Type::Kind::Timestamp: return v.kind() == VK::Timestamp;
    case Type::Kind::Type: return v.kind() == VK::Type;
    case Type::Kind::Optional: return v.kind() == VK::Optional;
    case Type::Kind::Opaque: return v.kind() == VK::Opaque && v.as_opaque().type_name() == param->name;
  }
  return false;
}

Value no_such_key(const std::string& key) {
  return Value::error("no such key: " + key);
}

class Evaluator {
 public:
  Evaluator(std::span<const Value> variables, size_t depth, uint64_t& cost, uint64_t limit)
      : variables_(variables), frame_(depth), cost_(cost), limit_(limit) {}

  Value eval(const Node& n) {
    if (cancelled_) return cancelled();
    switch (n.kind) {
      case Node::Kind::Constant: return n.constant;
      case Node::Kind::Variable:
        charge(1);
        return n.slot < variables_.size() ? variables_[n.slot]
                                          : Value::error("no value for a declared variable");
      case Node::Kind::IterVar: charge(1); return frame_[n.slot];
      case Node::Kind::Select:
      case Node::Kind::Has:
      case Node::Kind::OptSelect: return select(n);
      case Node::Kind::OptIndex: return optional_index(n);
      case Node::Kind::Call: return call(n);
      case Node::Kind::And: return logical(n, false);
      case Node::Kind::Or: return logical(n, true);
      case Node::Kind::Conditional: {
        Value c = eval(*n.args[0]);
        if (c.is_error()) return c;
        if (c.kind() != VK::Bool) return Value::error("no such overload");
        return eval(*n.args[c.as_bool() ? 1 : 2]);
      }
      case Node::Kind::List: return list(n);
      case Node::Kind::Map: return map(n);
      case Node::Kind::Macro: return macro(n);
    }
    return Value::error("unsupported expression");
  }

 private:
  Value cancelled() const { return Value::error(std::string(kCostLimitExceeded)); }

  void charge(uint64_t units) {
    cost_ = cost_ > UINT64_MAX - units ? UINT64_MAX : cost_ + units;
    if (cost_ > limit_) cancelled_ = true;
  }

  Value select(const Node& n) {
    Value operand = eval(*n.args[0]);
    if (operand.is_error()) return operand;
    charge(1);
    bool optional = n.kind == Node::Kind::OptSelect;
    if (operand.kind() == VK::Optional) {
      // Selecting through an optional chains: none stays none, and a value that is not a
      // map has no such field.
      if (!operand.optional_value()) return n.kind == Node::Kind::Has ? Value(false) : operand;
      Value inner = *operand.optional_value();
      operand = std::move(inner);
      optional = n.kind != Node::Kind::Has;
      if (operand.kind() != VK::Map) return no_such_key(n.field);
    }
    if (operand.kind() != VK::Map)
      return Value::error("type '" + operand.type_name() + "' does not support field selection");
    const Value* found = operand.as_map().find(std::string_view(n.field));
    if (n.kind == Node::Kind::Has) return Value(found != nullptr);
    if (optional) return found ? Value::optional_of(*found) : Value::optional_none();
    return found ? *found : no_such_key(n.field);
  }

  Value optional_index(const Node& n) {
    Value operand = eval(*n.args[0]);
    if (operand.is_error()) return operand;
    Value index = eval(*n.args[1]);
    if (index.is_error()) return index;
    charge(1);
    if (operand.kind() == VK::Optional) {
      if (!operand.optional_value()) return operand;
      Value inner = *operand.optional_value();
      operand = std::move(inner);
    }
    if (operand.kind() == VK::Map) {
      const Value* found = operand.as_map().find(index);
      return found ? Value::optional_of(*found) : Value::optional_none();
    }
    if (operand.kind() == VK::List && index.kind() == VK::Int) {
      const auto& list = operand.as_list();
      const int64_t i = index.as_int();
      return i >= 0 && static_cast<size_t>(i) < list.size() ? Value::optional_of(list[static_cast<size_t>(i)])
                                                            : Value::optional_none();
    }
    return Value::error("no such overload: _[?_]");
  }

  Value call(const Node& n) {
    std::vector<Value> args;
    args.reserve(n.args.size());
    for (const auto& a : n.args) {
      Value v = eval(*a);
      if (v.is_error()) return v;
      args.push_back(std::move(v));
    }
    for (const Overload* o : n.overloads) {
      bool ok = true;
      for (size_t i = 0; i < args.size() && ok; ++i) ok = fits(o->params[i], args[i]);
      if (!ok) continue;
      if (o->cost.shape == CallCost::Shape::Constant) {
        charge(1);
      } else {
        uint64_t sizes[8] = {};
        for (size_t i = 0; i < args.size() && i < 8; ++i) sizes[i] = cost_size(args[i]);
        charge(o->cost.of(std::span<const uint64_t>(sizes, std::min<size_t>(args.size(), 8))));
      }
      if (cancelled_) return cancelled();
      return o->impl(args);
    }
    std::string shown;
    for (const auto& a : args) shown += (shown.empty() ? "" : ", ") + a.type_name();
    return Value::error("no such overload: " + n.field + "(" + shown + ")");
  }

  // Or when `decisive` is true, And when false: the decisive value wins over an error.
  Value logical(const Node& n, bool decisive) {
    Value left = eval(*n.args[0]);
    if (left.kind() == VK::Bool && left.as_bool() == decisive) return left;
    if (cancelled_) return cancelled();
    Value right = eval(*n.args[1]);
    if (right.kind() == VK::Bool && right.as_bool() == decisive) return right;
    if (cancelled_) return cancelled();
    if (left.is_error()) return left;
    if (right.is_error()) return right;
    if (left.kind() != VK::Bool || right.kind() != VK::Bool)
      return Value::error(std::string("no such overload: ") + (decisive ? "_||_" : "_&&_"));
    return Value(!decisive);
  }

  Value list(const Node& n) {
    charge(10);
    std::vector<Value> out;
    out.reserve(n.args.size());
    for (size_t i = 0; i < n.args.size(); ++i) {
      Value v = eval(*n.args[i]);
      if (v.is_error()) return v;
      if (n.optional[i]) {
        if (v.kind() != VK::Optional) return Value::error("no such overload: optional list element");
        if (v.optional_value()) out.push_back(*v.optional_value());
        continue;
      }
      out.push_back(std::move(v));
    }
    return Value(std::move(out));
  }

  Value map(const Node& n) {
    charge(30);
    MapData out;
    for (size_t i = 0; i + 1 < n.args.size(); i += 2) {
      Value k = eval(*n.args[i]);
      if (k.is_error()) return k;
      Value v = eval(*n.args[i + 1]);
      if (v.is_error()) return v;
      if (n.optional[i / 2]) {
        if (v.kind() != VK::Optional) return Value::error("no such overload: optional map entry");
        if (!v.optional_value()) continue;
        Value inner = *v.optional_value();
        v = std::move(inner);
      }
      if (out.find(k)) return Value::error("Failed with repeated key: " + debug_string(k));
      out.entries.emplace_back(std::move(k), std::move(v));
    }
    return Value(std::move(out));
  }

  Value macro(const Node& n) {
    Value range = eval(*n.args[0]);
    if (range.is_error()) return range;
    if (n.macro == Node::Macro::OptMap || n.macro == Node::Macro::OptFlatMap) {
      if (range.kind() != VK::Optional)
        return Value::error("no such overload: " + range.type_name() + ".optMap");
      if (!range.optional_value()) return range;
      frame_[n.slot] = *range.optional_value();
      Value r = eval(*n.args[1]);
      if (r.is_error() || n.macro == Node::Macro::OptFlatMap) return r;
      return Value::optional_of(std::move(r));
    }
    std::vector<Value> keys;
    const std::vector<Value>* items = nullptr;
    if (range.kind() == VK::List) {
      items = &range.as_list();
    } else if (range.kind() == VK::Map) {
      for (const auto& entry : range.as_map().entries) keys.push_back(entry.first);
      items = &keys;
    } else {
      return Value::error("cannot range over " + range.type_name());
    }
    Value& slot = frame_[n.slot];
    std::vector<Value> out;
    std::optional<Value> error;
    int64_t matches = 0;
    for (const Value& item : *items) {
      charge(1);
      if (cancelled_) return cancelled();
      slot = item;
      Value r = eval(*n.args[1]);
      if (cancelled_) return cancelled();
      switch (n.macro) {
        case Node::Macro::All:
        case Node::Macro::Exists: {
          const bool decisive = n.macro == Node::Macro::Exists;
          if (r.kind() == VK::Bool) {
            if (r.as_bool() == decisive) return r;
          } else if (!error) {
            error = r.is_error() ? r : Value::error("no such overload");
          }
          break;
        }
        case Node::Macro::ExistsOne:
          if (r.is_error()) return r;
          if (r.kind() != VK::Bool) return Value::error("no such overload");
          matches += r.as_bool();
          break;
        case Node::Macro::Map:
          if (r.is_error()) return r;
          out.push_back(std::move(r));
          break;
        case Node::Macro::MapFilter: {
          if (r.is_error()) return r;
          if (r.kind() != VK::Bool) return Value::error("no such overload");
          if (!r.as_bool()) break;
          Value mapped = eval(*n.args[2]);
          if (mapped.is_error()) return mapped;
          out.push_back(std::move(mapped));
          break;
        }
        case Node::Macro::Filter:
          if (r.is_error()) return r;
          if (r.kind() != VK::Bool) return Value::error("no such overload");
          if (r.as_bool()) out.push_back(item);
          break;
        case Node::Macro::OptMap:
        case Node::Macro::OptFlatMap: break;  // handled before the loop
      }
    }
    switch (n.macro) {
      case Node::Macro::All: return error ? *error : Value(true);
      case Node::Macro::Exists: return error ? *error : Value(false);
      case Node::Macro::ExistsOne: return Value(matches == 1);
      default: return Value(std::move(out));
    }
  }

  std::span<const Value> variables_;
  std::vector<Value> frame_;
  uint64_t& cost_;
  uint64_t limit_;
  bool cancelled_ = false;
};

}  // namespace

namespace {

// Records, for the variable at `index`, each field selected from it; false when the variable
// is used otherwise too.
bool collect_fields(const Node& n, size_t index, std::vector<std::string>& fields) {
  const bool selects =
      n.kind == Node::Kind::Select || n.kind == Node::Kind::Has || n.kind == Node::Kind::OptSelect;
  if (selects && n.args[0]->kind == Node::Kind::Variable && n.args[0]->slot == index) {
    if (std::find(fields.begin(), fields.end(), n.field) == fields.end()) fields.push_back(n.field);
    return true;
  }
  if (n.kind == Node::Kind::Variable && n.slot == index) return false;
  for (const auto& a : n.args)
    if (!collect_fields(*a, index, fields)) return false;
  return true;
}

}  // namespace

std::optional<std::vector<std::string>> Program::fields_used(size_t index) const {
  std::vector<std::string> fields;
  if (!collect_fields(*root_, index, fields)) return std::nullopt;
  return fields;
}

Value Program::evaluate(std::span<const Value> variables, uint64_t& cost, uint64_t cost_limit) const {
  Evaluator evaluator(variables, iteration_depth_, cost, cost_limit);
  return evaluator.eval(*root_);
}

}  // namespace ukube::cel
