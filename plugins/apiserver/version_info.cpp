#include "version_info.h"

#include <boost/json.hpp>

namespace ukube::apiserver {
namespace {

const char* platform() {
#if defined(__x86_64__)
  return "linux/amd64";
#elif defined(__aarch64__)
  return "linux/arm64";
#else
  return "linux/unknown";
#endif
}

}  // namespace

std::string version_json() {
  return boost::json::serialize(boost::json::object{{"major", kKubeMajor},
                                                    {"minor", kKubeMinor},
                                                    {"gitVersion", kGitVersion},
                                                    {"gitCommit", ""},
                                                    {"gitTreeState", "clean"},
                                                    {"buildDate", ""},
                                                    {"goVersion", ""},
                                                    {"compiler", "g++"},
                                                    {"platform", platform()}});
}

}  // namespace ukube::apiserver
