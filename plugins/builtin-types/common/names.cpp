#include "common/names.h"

namespace ukube::builtin {

void report(Errors& e, const FieldPath& p, std::string_view value, const std::vector<std::string>& problems) {
  for (const auto& m : problems) e.invalid(p, quote(value), m);
}

void check_name_is_label(Errors& e, std::string_view name) {
  if (name.empty() || !dns1123_subdomain_errors(name).empty()) return;  // the kernel already said why
  report(e, FieldPath("metadata.name"), name, dns1123_label_errors(name));
}

void check_name_is_dns1035(Errors& e, std::string_view name) {
  if (name.empty() || !dns1123_subdomain_errors(name).empty()) return;
  report(e, FieldPath("metadata.name"), name, dns1035_label_errors(name));
}

}  // namespace ukube::builtin
