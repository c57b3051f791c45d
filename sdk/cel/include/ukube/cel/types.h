#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The types the checker reasons with. Kubernetes describes `self` from an OpenAPI schema:
// objects with properties become Object types with fields, additionalProperties maps,
// arrays lists, int-or-string and free-form values dyn. Sizes (maxLength, maxItems,
// maxProperties) bound the estimated cost of a rule.
namespace ukube::cel {

struct Type;
using TypePtr = std::shared_ptr<const Type>;

inline constexpr uint64_t kUnboundedSize = std::numeric_limits<uint64_t>::max();

struct Type {
  enum class Kind : uint8_t {
    Dyn,
    Null,
    Bool,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    List,    // params[0]: the element
    Map,     // params[0], params[1]: key and value
    Object,  // name and fields
    Duration,
    Timestamp,
    Type,      // the type of a type value; params[0] when known
    Optional,  // params[0]: the value
    Opaque,    // name (and params, if any)
    Param,     // a type parameter of an overload, by name ("A")
  };
  struct Field {
    std::string name;  // as CEL spells it (escaped, see escape_field_name)
    TypePtr type;
  };

  Kind kind = Kind::Dyn;
  std::string name;
  std::vector<TypePtr> params;
  std::vector<Field> fields;
  // The most code points (string), bytes, elements or entries a value may hold, and the
  // fewest, for cost estimates.
  uint64_t max_size = kUnboundedSize;
  uint64_t min_size = 0;

  const Field* field(std::string_view field_name) const;
  // As cel-go prints it: "int", "list(string)", "map(string, int)", "optional_type(int)",
  // "Object.spec", "type(int)".
  std::string to_string() const;
};

namespace types {
TypePtr dyn();
TypePtr null();
TypePtr boolean();
TypePtr int64();
TypePtr uint64();
TypePtr double_();
TypePtr string();
TypePtr bytes();
TypePtr duration();
TypePtr timestamp();
TypePtr list(TypePtr element);
TypePtr map(TypePtr key, TypePtr value);
TypePtr optional(TypePtr value);
TypePtr type(TypePtr of = nullptr);
TypePtr param(std::string name);
TypePtr opaque(std::string name);
// A copy of `t` with different size bounds.
TypePtr sized(const TypePtr& t, uint64_t max_size, uint64_t min_size = 0);
}  // namespace types

// Kubernetes' escaping of property names in rules: a name that is a CEL reserved word is
// written __name__; "__" becomes __underscores__, "." __dot__, "-" __dash__, "/" __slash__.
// Null when the name has other characters and cannot be referred to.
std::optional<std::string> escape_field_name(std::string_view property);

}  // namespace ukube::cel
