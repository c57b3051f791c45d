// The type checker: resolves names, picks the overloads that fit the argument types,
// reports what cel-go reports (undeclared references, undefined fields, no matching
// overload), and estimates the worst-case cost from the sizes the types allow.
#include <algorithm>
#include <map>

#include "lexer.h"
#include "program_node.h"
#include "ukube/cel/parser.h"

namespace ukube::cel {
namespace {

using Kind = Type::Kind;

uint64_t add_sat(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}
uint64_t mul_sat(uint64_t a, uint64_t b) {
  return a != 0 && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

struct Checked {
  NodePtr node;
  TypePtr type;
  CostEstimate cost;
  uint64_t max_size = kUnboundedSize;  // of the value, when it is a string, bytes, list or map
};

using Bindings = std::map<std::string, TypePtr, std::less<>>;

bool assignable(const TypePtr& param, const TypePtr& arg, Bindings& bindings) {
  if (param->kind == Kind::Param) {
    const auto bound = bindings.find(param->name);
    if (bound == bindings.end()) {
      bindings.emplace(param->name, arg);
      return true;
    }
    if (bound->second->kind == Kind::Dyn) return true;
    if (arg->kind == Kind::Dyn) return true;
    return assignable(bound->second, arg, bindings);
  }
  if (param->kind == Kind::Dyn || arg->kind == Kind::Dyn) return true;
  if (param->kind != arg->kind) return false;
  switch (param->kind) {
    case Kind::List:
    case Kind::Optional: return assignable(param->params[0], arg->params[0], bindings);
    case Kind::Map:
      return assignable(param->params[0], arg->params[0], bindings) &&
             assignable(param->params[1], arg->params[1], bindings);
    case Kind::Object:
    case Kind::Opaque: return param->name == arg->name;
    default: return true;
  }
}

TypePtr substitute(const TypePtr& t, const Bindings& bindings) {
  switch (t->kind) {
    case Kind::Param: {
      const auto bound = bindings.find(t->name);
      return bound == bindings.end() ? types::dyn() : bound->second;
    }
    case Kind::List: return types::list(substitute(t->params[0], bindings));
    case Kind::Optional: return types::optional(substitute(t->params[0], bindings));
    case Kind::Map: return types::map(substitute(t->params[0], bindings), substitute(t->params[1], bindings));
    case Kind::Type: return t->params.empty() ? t : types::type(substitute(t->params[0], bindings));
    default: return t;
  }
}

bool same_type(const TypePtr& a, const TypePtr& b) {
  return a->to_string() == b->to_string();
}

// The type both branches or all elements share, dyn when they differ.
TypePtr join(const TypePtr& a, const TypePtr& b) {
  if (!a) return b;
  return same_type(a, b) ? a : types::dyn();
}

bool is_bool_like(const TypePtr& t) {
  return t->kind == Kind::Bool || t->kind == Kind::Dyn;
}

class Checker {
 public:
  Checker(std::string_view source, const Env& env) : source_(source), env_(env) {}

  Checked check(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::Literal: return literal(e);
      case Expr::Kind::Ident: return ident(e);
      case Expr::Kind::Select: return select(e);
      case Expr::Kind::Call: return call(e);
      case Expr::Kind::List: return list(e);
      case Expr::Kind::Map: return map(e);
      case Expr::Kind::Comprehension: return comprehension(e);
    }
    fail(e.offset, "unsupported expression");
  }

  size_t max_depth() const { return max_depth_; }
  const std::vector<bool>& used_variables() const { return used_; }

 private:
  [[noreturn]] void fail(size_t offset, const std::string& what) const {
    throw CompileError(detail::located_message(source_, offset, what));
  }

  static std::shared_ptr<Program::Node> node(Program::Node::Kind kind, size_t offset) {
    auto n = std::make_shared<Program::Node>();
    n->kind = kind;
    n->offset = offset;
    return n;
  }

  Checked literal(const Expr& e) {
    auto n = node(Program::Node::Kind::Constant, e.offset);
    TypePtr type;
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, Null>) {
            n->constant = Value();
            type = types::null();
          } else if constexpr (std::is_same_v<T, bool>) {
            n->constant = Value(v);
            type = types::boolean();
          } else if constexpr (std::is_same_v<T, int64_t>) {
            n->constant = Value(v);
            type = types::int64();
          } else if constexpr (std::is_same_v<T, uint64_t>) {
            n->constant = Value(v);
            type = types::uint64();
          } else if constexpr (std::is_same_v<T, double>) {
            n->constant = Value(v);
            type = types::double_();
          } else if constexpr (std::is_same_v<T, std::string>) {
            n->constant = Value(v);
            type = types::string();
          } else {
            n->constant = Value::bytes(v.data);
            type = types::bytes();
          }
        },
        e.literal);
    const auto size = static_cast<uint64_t>(std::max<int64_t>(n->constant.size(), 1));
    return {n, type, {0, 0}, size};
  }

  static std::optional<Value> type_constant(std::string_view name) {
    static constexpr std::string_view kTypes[] = {"int",       "uint",  "double",       "bool",
                                                  "string",    "bytes", "list",         "map",
                                                  "null_type", "type",  "optional_type"};
    for (auto t : kTypes)
      if (t == name) return Value::type(std::string(name));
    return std::nullopt;
  }

  Checked ident(const Expr& e) {
    for (size_t i = scopes_.size(); i-- > 0;) {
      if (scopes_[i].first != e.name) continue;
      auto n = node(Program::Node::Kind::IterVar, e.offset);
      n->slot = i;
      return {n, scopes_[i].second, {1, 1}, scopes_[i].second->max_size};
    }
    for (size_t i = 0; i < env_.variables.size(); ++i) {
      if (env_.variables[i].name != e.name) continue;
      auto n = node(Program::Node::Kind::Variable, e.offset);
      n->slot = i;
      used_.resize(env_.variables.size());
      used_[i] = true;
      const TypePtr& t = env_.variables[i].type;
      return {n, t, {1, 1}, t->max_size};
    }
    if (auto type = type_constant(e.name)) {
      auto n = node(Program::Node::Kind::Constant, e.offset);
      n->constant = *type;
      return {n, types::type(), {0, 0}, 1};
    }
    fail(e.offset, "undeclared reference to '" + e.name + "' (in container '')");
  }

  // The qualified name an identifier chain spells (a.b.c), if it is one.
  static std::optional<std::string> qualified_name(const Expr& e) {
    if (e.kind == Expr::Kind::Ident) return e.name;
    if (e.kind == Expr::Kind::Select && !e.test_only && !e.optional && e.operand)
      if (auto prefix = qualified_name(*e.operand)) return *prefix + "." + e.name;
    return std::nullopt;
  }

  bool is_variable(std::string_view name) const {
    for (const auto& s : scopes_)
      if (s.first == name) return true;
    for (const auto& v : env_.variables)
      if (v.name == name) return true;
    return false;
  }

  // The type of operand.field (the operand's type given), or a failure.
  TypePtr field_type(const TypePtr& operand, const std::string& field, size_t offset) const {
    switch (operand->kind) {
      case Kind::Dyn: return types::dyn();
      case Kind::Object: {
        if (const Type::Field* f = operand->field(field)) return f->type;
        fail(offset, "undefined field '" + field + "'");
      }
      case Kind::Map:
        if (operand->params[0]->kind == Kind::String || operand->params[0]->kind == Kind::Dyn)
          return operand->params[1];
        break;
      default: break;
    }
    fail(offset, "type '" + operand->to_string() + "' does not support field selection");
  }

  Checked select(const Expr& e) {
    if (!e.test_only && !e.optional) {
      // A qualified identifier that names nothing by its first part may still be a type.
      if (auto name = qualified_name(e); name && !is_variable(name->substr(0, name->find('.'))))
        if (auto type = type_constant(*name)) {
          auto n = node(Program::Node::Kind::Constant, e.offset);
          n->constant = *type;
          return {n, types::type(), {0, 0}, 1};
        }
    }
    Checked operand = check(*e.operand);
    const auto kind = e.test_only  ? Program::Node::Kind::Has
                      : e.optional ? Program::Node::Kind::OptSelect
                                   : Program::Node::Kind::Select;
    auto n = node(kind, e.offset);
    n->field = e.name;
    n->args = {operand.node};
    TypePtr base = operand.type;
    const bool optional_operand = base->kind == Kind::Optional;
    if (optional_operand) base = base->params[0];
    const TypePtr field = field_type(base, e.name, e.offset);
    const CostEstimate cost{add_sat(operand.cost.min, 1), add_sat(operand.cost.max, 1)};
    if (e.test_only) return {n, types::boolean(), cost, 1};
    TypePtr result = (e.optional || optional_operand) ? types::optional(field) : field;
    return {n, result, cost, field->max_size};
  }

  Checked call(const Expr& e) {
    if (e.name == "_&&_" || e.name == "_||_") return logical(e);
    if (e.name == "_?_:_") return conditional(e);
    if (e.name == "_[?_]") return optional_index(e);
    std::optional<Checked> first;
    if (e.name == "_[_]") {
      // Indexing an optional chains: optional.of(m)['k'] is m[?'k'].
      first = check(*e.args[0]);
      if (first->type->kind == Kind::Optional) return optional_index(e, std::move(first));
    }

    std::string function = e.name;
    std::vector<Checked> args;
    bool member = false;
    if (e.operand) {
      auto name = qualified_name(*e.operand);
      if (name && !is_variable(name->substr(0, name->find('.'))) &&
          env_.library->find(*name + "." + e.name)) {
        function = *name + "." + e.name;
      } else {
        member = true;
        args.push_back(check(*e.operand));
      }
    }
    for (size_t i = 0; i < e.args.size(); ++i)
      args.push_back(i == 0 && first ? std::move(*first) : check(*e.args[i]));

    const std::vector<Overload>* overloads = env_.library->find(function);
    if (!overloads) fail(e.offset, "undeclared reference to '" + function + "' (in container '')");

    auto n = node(Program::Node::Kind::Call, e.offset);
    n->field = function;
    TypePtr result;
    uint64_t call_cost = 0;
    std::vector<uint64_t> sizes;
    for (const auto& a : args) sizes.push_back(a.max_size);
    for (const Overload& o : *overloads) {
      if (o.member != member || o.params.size() != args.size()) continue;
      Bindings bindings;
      bool fits = true;
      for (size_t i = 0; i < args.size() && fits; ++i) fits = assignable(o.params[i], args[i].type, bindings);
      if (!fits) continue;
      n->overloads.push_back(&o);
      result = join(result, substitute(o.result, bindings));
      call_cost = std::max(call_cost, o.cost.of(sizes));
    }
    if (n->overloads.empty()) {
      std::string shown;
      for (size_t i = member ? 1 : 0; i < args.size(); ++i)
        shown += (shown.empty() ? "" : ", ") + args[i].type->to_string();
      fail(e.offset, "found no matching overload for '" + function + "' applied to '" +
                         (member ? args[0].type->to_string() + "." : "") + "(" + shown + ")'");
    }
    CostEstimate cost{call_cost, call_cost};
    uint64_t size = result->max_size;
    for (const auto& a : args) {
      n->args.push_back(a.node);
      cost.min = add_sat(cost.min, a.cost.min);
      cost.max = add_sat(cost.max, a.cost.max);
    }
    // Results built from the arguments (concatenation, replace, ...) are as large as they.
    if (result->kind == Kind::String || result->kind == Kind::Bytes || result->kind == Kind::List) {
      size = 0;
      for (const auto& a : args)
        if (a.type->kind == result->kind)
          size = function == "_+_" ? add_sat(size, a.max_size) : std::max(size, a.max_size);
      if (size == 0) size = result->max_size;
    }
    return {n, result, cost, size};
  }

  Checked logical(const Expr& e) {
    Checked left = check(*e.args[0]), right = check(*e.args[1]);
    if (!is_bool_like(left.type) || !is_bool_like(right.type))
      fail(e.offset, "found no matching overload for '" + e.name + "' applied to '(" +
                         left.type->to_string() + ", " + right.type->to_string() + ")'");
    auto n = node(e.name == "_&&_" ? Program::Node::Kind::And : Program::Node::Kind::Or, e.offset);
    n->args = {left.node, right.node};
    return {n, types::boolean(), {left.cost.min, add_sat(left.cost.max, right.cost.max)}, 1};
  }

  Checked conditional(const Expr& e) {
    Checked c = check(*e.args[0]), then = check(*e.args[1]), otherwise = check(*e.args[2]);
    TypePtr result;
    if (then.type->kind == Kind::Dyn || otherwise.type->kind == Kind::Dyn) {
      result = types::dyn();
    } else if (same_type(then.type, otherwise.type) || otherwise.type->kind == Kind::Null) {
      result = then.type;
    } else if (then.type->kind == Kind::Null) {
      result = otherwise.type;
    }
    if (!is_bool_like(c.type) || !result)
      fail(e.offset, "found no matching overload for '_?_:_' applied to '(" + c.type->to_string() + ", " +
                         then.type->to_string() + ", " + otherwise.type->to_string() + ")'");
    auto n = node(Program::Node::Kind::Conditional, e.offset);
    n->args = {c.node, then.node, otherwise.node};
    return {n,
            result,
            {add_sat(c.cost.min, std::min(then.cost.min, otherwise.cost.min)),
             add_sat(c.cost.max, std::max(then.cost.max, otherwise.cost.max))},
            std::max(then.max_size, otherwise.max_size)};
  }

  Checked optional_index(const Expr& e, std::optional<Checked> checked_operand = std::nullopt) {
    Checked operand = checked_operand ? std::move(*checked_operand) : check(*e.args[0]);
    Checked index = check(*e.args[1]);
    TypePtr base = operand.type->kind == Kind::Optional ? operand.type->params[0] : operand.type;
    TypePtr element;
    if (base->kind == Kind::Dyn) element = types::dyn();
    if (base->kind == Kind::List && (index.type->kind == Kind::Int || index.type->kind == Kind::Dyn))
      element = base->params[0];
    if (base->kind == Kind::Map) element = base->params[1];
    if (!element)
      fail(e.offset, "found no matching overload for '_[?_]' applied to '(" + operand.type->to_string() +
                         ", " + index.type->to_string() + ")'");
    auto n = node(Program::Node::Kind::OptIndex, e.offset);
    n->args = {operand.node, index.node};
    return {n,
            types::optional(element),
            {add_sat(add_sat(operand.cost.min, index.cost.min), 1),
             add_sat(add_sat(operand.cost.max, index.cost.max), 1)},
            element->max_size};
  }

  Checked list(const Expr& e) {
    auto n = node(Program::Node::Kind::List, e.offset);
    TypePtr element;
    CostEstimate cost{10, 10};
    for (size_t i = 0; i < e.args.size(); ++i) {
      Checked c = check(*e.args[i]);
      const bool optional =
          std::find(e.optional_elements.begin(), e.optional_elements.end(), i) != e.optional_elements.end();
      TypePtr t = c.type;
      if (optional) {
        if (t->kind != Kind::Optional && t->kind != Kind::Dyn)
          fail(e.args[i]->offset, "expected type 'optional_type' but found '" + t->to_string() + "'");
        if (t->kind == Kind::Optional) t = t->params[0];
      }
      element = join(element, t);
      n->args.push_back(c.node);
      n->optional.push_back(optional);
      cost = {add_sat(cost.min, c.cost.min), add_sat(cost.max, c.cost.max)};
    }
    const TypePtr type = types::list(element ? element : types::dyn());
    const uint64_t size = std::max<uint64_t>(e.args.size(), 1);
    // A list of constants is built once, here, and costs nothing to evaluate.
    const bool constant =
        e.optional_elements.empty() && std::all_of(n->args.begin(), n->args.end(), [](const NodePtr& a) {
          return a->kind == Program::Node::Kind::Constant;
        });
    if (!constant) return {n, type, cost, size};
    auto folded = node(Program::Node::Kind::Constant, e.offset);
    std::vector<Value> values;
    for (const auto& a : n->args) values.push_back(a->constant);
    folded->constant = Value(std::move(values));
    return {folded, type, {0, 0}, size};
  }

  Checked map(const Expr& e) {
    auto n = node(Program::Node::Kind::Map, e.offset);
    TypePtr key, value;
    CostEstimate cost{30, 30};
    for (const auto& entry : e.entries) {
      Checked k = check(*entry.key), v = check(*entry.value);
      const Kind kk = k.type->kind;
      if (kk != Kind::String && kk != Kind::Int && kk != Kind::Uint && kk != Kind::Bool && kk != Kind::Dyn)
        fail(entry.key->offset, "unsupported map key type: " + k.type->to_string());
      TypePtr vt = v.type;
      if (entry.optional && vt->kind == Kind::Optional) vt = vt->params[0];
      key = join(key, k.type);
      value = join(value, vt);
      n->args.push_back(k.node);
      n->args.push_back(v.node);
      n->optional.push_back(entry.optional);
      cost = {add_sat(cost.min, add_sat(k.cost.min, v.cost.min)),
              add_sat(cost.max, add_sat(k.cost.max, v.cost.max))};
    }
    return {n, types::map(key ? key : types::dyn(), value ? value : types::dyn()), cost,
            std::max<uint64_t>(e.entries.size(), 1)};
  }

  Checked comprehension(const Expr& e) {
    Checked range = check(*e.operand);
    TypePtr element;
    const bool over_optional = e.name == "optMap" || e.name == "optFlatMap";
    switch (over_optional ? (range.type->kind == Kind::Optional ? Kind::List : range.type->kind)
                          : range.type->kind) {
      case Kind::List: element = range.type->params[0]; break;
      case Kind::Map: element = range.type->params[0]; break;
      case Kind::Dyn: element = types::dyn(); break;
      default:
        fail(e.operand->offset, "expression of type '" + range.type->to_string() +
                                    "' cannot be range of a comprehension (must be list, map, or dynamic)");
    }
    auto n = node(Program::Node::Kind::Macro, e.offset);
    n->slot = scopes_.size();
    scopes_.emplace_back(e.iter_var, element);
    max_depth_ = std::max(max_depth_, scopes_.size());
    std::vector<Checked> body;
    for (const auto& a : e.args) body.push_back(check(*a));
    scopes_.pop_back();

    n->args.push_back(range.node);
    CostEstimate per_item{1, 1};
    for (const auto& b : body) {
      n->args.push_back(b.node);
      per_item = {add_sat(per_item.min, b.cost.min), add_sat(per_item.max, b.cost.max)};
    }
    const CostEstimate cost{add_sat(range.cost.min, mul_sat(range.type->min_size, per_item.min)),
                            add_sat(range.cost.max, mul_sat(range.max_size, per_item.max))};
    // cel-go expands the macros into && and || loops and reports a non-bool predicate so.
    const auto require_bool = [&](const Checked& b, const Expr& source) {
      if (is_bool_like(b.type)) return;
      const std::string op = e.name == "all" ? "_&&_" : e.name == "exists" ? "_||_" : "_?_:_";
      fail(source.offset,
           "found no matching overload for '" + op + "' applied to '(bool, " + b.type->to_string() + ")'");
    };
    if (over_optional) {
      if (e.name == "optMap") {
        n->macro = Program::Node::Macro::OptMap;
        return {n, types::optional(body[0].type), cost, body[0].max_size};
      }
      if (body[0].type->kind != Kind::Optional && body[0].type->kind != Kind::Dyn)
        fail(e.args[0]->offset, "found no matching overload for '_?_:_' applied to '(bool, " +
                                    body[0].type->to_string() + ", optional_type(dyn))'");
      n->macro = Program::Node::Macro::OptFlatMap;
      return {n, body[0].type, cost, body[0].max_size};
    }
    if (e.name == "map") {
      if (body.size() == 2) {
        require_bool(body[0], *e.args[0]);
        n->macro = Program::Node::Macro::MapFilter;
      } else {
        n->macro = Program::Node::Macro::Map;
      }
      return {n, types::list(body.back().type), cost, range.max_size};
    }
    require_bool(body[0], *e.args[0]);
    if (e.name == "filter") {
      n->macro = Program::Node::Macro::Filter;
      return {n, types::list(element), cost, range.max_size};
    }
    n->macro = e.name == "all"      ? Program::Node::Macro::All
               : e.name == "exists" ? Program::Node::Macro::Exists
                                    : Program::Node::Macro::ExistsOne;
    return {n, types::boolean(), cost, 1};
  }

  std::string_view source_;
  const Env& env_;
  std::vector<std::pair<std::string, TypePtr>> scopes_;
  size_t max_depth_ = 0;
  std::vector<bool> used_;
};

}  // namespace

Program compile(std::string_view source, const Env& env) {
  ExprPtr ast;
  try {
    ast = parse(source);
  } catch (const ParseError& e) {
    throw CompileError(e.what());
  }
  Checker checker(source, env);
  Checked checked = checker.check(*ast);
  Program program;
  program.source_ = std::string(source);
  program.root_ = checked.node;
  program.result_type_ = checked.type;
  program.estimated_cost_ = checked.cost;
  program.iteration_depth_ = checker.max_depth();
  program.used_variables_ = checker.used_variables();
  return program;
}

}  // namespace ukube::cel
