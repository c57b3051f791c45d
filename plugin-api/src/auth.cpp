#include "ukube/auth.h"

#include <boost/json.hpp>

namespace ukube {
namespace {

boost::json::array to_array(const std::vector<std::string>& values) {
  boost::json::array out;
  for (const auto& v : values) out.emplace_back(v);
  return out;
}

}  // namespace

boost::json::object user_info_json(const UserInfo& user) {
  boost::json::object out;
  if (!user.name.empty()) out["username"] = user.name;
  if (!user.uid.empty()) out["uid"] = user.uid;
  if (!user.groups.empty()) out["groups"] = to_array(user.groups);
  if (!user.extra.empty()) {
    boost::json::object extra;
    for (const auto& [key, values] : user.extra) extra[key] = to_array(values);
    out["extra"] = std::move(extra);
  }
  return out;
}

}  // namespace ukube
