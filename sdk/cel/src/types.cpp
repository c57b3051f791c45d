#include <array>
#include <cctype>
#include <cmath>

#include "ukube/cel/library.h"
#include "ukube/cel/types.h"

namespace ukube::cel {

const Type::Field* Type::field(std::string_view field_name) const {
  for (const auto& f : fields)
    if (f.name == field_name) return &f;
  return nullptr;
}

std::string Type::to_string() const {
  const auto param_text = [&](size_t i) {
    return i < params.size() && params[i] ? params[i]->to_string() : "dyn";
  };
  switch (kind) {
    case Kind::Dyn: return "dyn";
    case Kind::Null: return "null_type";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Uint: return "uint";
    case Kind::Double: return "double";
    case Kind::String: return "string";
    case Kind::Bytes: return "bytes";
    case Kind::List: return "list(" + param_text(0) + ")";
    case Kind::Map: return "map(" + param_text(0) + ", " + param_text(1) + ")";
    case Kind::Duration: return "google.protobuf.Duration";
    case Kind::Timestamp: return "google.protobuf.Timestamp";
    case Kind::Type: return params.empty() || !params[0] ? "type" : "type(" + param_text(0) + ")";
    case Kind::Optional: return "optional_type(" + param_text(0) + ")";
    case Kind::Object:
    case Kind::Opaque:
    case Kind::Param: return name;
  }
  return "dyn";
}

namespace types {
namespace {
TypePtr make(Type::Kind kind, std::vector<TypePtr> params = {}, std::string name = {}) {
  auto t = std::make_shared<Type>();
  t->kind = kind;
  t->params = std::move(params);
  t->name = std::move(name);
  return t;
}
// Scalars have a fixed size: one unit for cost purposes.
TypePtr scalar(Type::Kind kind) {
  auto t = std::make_shared<Type>();
  t->kind = kind;
  t->max_size = 1;
  t->min_size = 1;
  return t;
}
}  // namespace

TypePtr dyn() {
  static const TypePtr t = make(Type::Kind::Dyn);
  return t;
}
TypePtr null() {
  static const TypePtr t = scalar(Type::Kind::Null);
  return t;
}
TypePtr boolean() {
  static const TypePtr t = scalar(Type::Kind::Bool);
  return t;
}
TypePtr int64() {
  static const TypePtr t = scalar(Type::Kind::Int);
  return t;
}
TypePtr uint64() {
  static const TypePtr t = scalar(Type::Kind::Uint);
  return t;
}
TypePtr double_() {
  static const TypePtr t = scalar(Type::Kind::Double);
  return t;
}
TypePtr string() {
  static const TypePtr t = make(Type::Kind::String);
  return t;
}
TypePtr bytes() {
  static const TypePtr t = make(Type::Kind::Bytes);
  return t;
}
TypePtr duration() {
  static const TypePtr t = scalar(Type::Kind::Duration);
  return t;
}
TypePtr timestamp() {
  static const TypePtr t = scalar(Type::Kind::Timestamp);
  return t;
}
TypePtr list(TypePtr element) {
  return make(Type::Kind::List, {std::move(element)});
}
TypePtr map(TypePtr key, TypePtr value) {
  return make(Type::Kind::Map, {std::move(key), std::move(value)});
}
TypePtr optional(TypePtr value) {
  return make(Type::Kind::Optional, {std::move(value)});
}
TypePtr type(TypePtr of) {
  auto t = std::make_shared<Type>();
  t->kind = Type::Kind::Type;
  if (of) t->params.push_back(std::move(of));
  t->max_size = t->min_size = 1;
  return t;
}
TypePtr param(std::string name) {
  return make(Type::Kind::Param, {}, std::move(name));
}
TypePtr opaque(std::string name) {
  auto t = make(Type::Kind::Opaque, {}, std::move(name));
  return t;
}
TypePtr sized(const TypePtr& t, uint64_t max_size, uint64_t min_size) {
  auto copy = std::make_shared<Type>(*t);
  copy->max_size = max_size;
  copy->min_size = min_size;
  return copy;
}
}  // namespace types

std::optional<std::string> escape_field_name(std::string_view property) {
  static constexpr std::array<std::string_view, 21> kReserved = {
      "true",     "false",   "null",      "in",       "as",  "break",  "const",
      "continue", "else",    "for",       "function", "if",  "import", "let",
      "loop",     "package", "namespace", "return",   "var", "void",   "while"};
  for (auto word : kReserved)
    if (word == property) return "__" + std::string(property) + "__";
  if (property.empty()) return std::nullopt;
  const auto ident_start = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
  if (!ident_start(property[0])) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < property.size(); ++i) {
    const char c = property[i];
    if (c == '_' && i + 1 < property.size() && property[i + 1] == '_') {
      out += "__underscores__";
      ++i;
    } else if (c == '.') {
      out += "__dot__";
    } else if (c == '-') {
      out += "__dash__";
    } else if (c == '/') {
      out += "__slash__";
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      out.push_back(c);
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// ---- the function registry

void Library::add(std::string_view function, Overload overload) {
  functions_[std::string(function)].push_back(std::move(overload));
}

const std::vector<Overload>* Library::find(std::string_view function) const {
  const auto it = functions_.find(std::string(function));
  return it == functions_.end() ? nullptr : &it->second;
}

uint64_t CallCost::of(std::span<const uint64_t> sizes) const {
  const auto scaled = [](double factor, uint64_t size) -> uint64_t {
    const long double x = std::ceil(static_cast<long double>(factor) * static_cast<long double>(size));
    return x >= 1.8e19L ? UINT64_MAX : static_cast<uint64_t>(x);
  };
  const auto saturating_add = [](uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; };
  switch (shape) {
    case Shape::Constant: return 1;
    case Shape::Linear: {
      uint64_t size = 0;
      if (arg < 0) {
        for (auto s : sizes) size = saturating_add(size, s);
      } else if (static_cast<size_t>(arg) < sizes.size()) {
        size = sizes[static_cast<size_t>(arg)];
      }
      return saturating_add(1, scaled(factor, size));
    }
    case Shape::Product: {
      const uint64_t a = scaled(factor, saturating_add(1, sizes.empty() ? 0 : sizes[0]));
      const uint64_t b = scaled(factor2, sizes.size() > 1 ? sizes[1] : 0);
      if (a != 0 && b > UINT64_MAX / a) return UINT64_MAX;
      return a * b;
    }
  }
  return 1;
}

const Library& kubernetes_library() {
  static const Library library = [] {
    Library l;
    add_standard_functions(l);
    add_optional_functions(l);
    add_string_functions(l);
    add_list_functions(l);
    add_regex_functions(l);
    add_url_functions(l);
    add_quantity_functions(l);
    return l;
  }();
  return library;
}

}  // namespace ukube::cel
