#include "builtin_image.h"

#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "ukube/node/exec_sync.h"

namespace ukube::runtime::runc {

namespace fs = std::filesystem;

namespace {

std::string run_busybox(const fs::path& busybox, const std::string& arg) {
  node::ExecTarget host{{"PATH=/usr/bin:/bin"}, "/", 0, {}};
  auto result = node::run_exec_sync(host, {busybox.string(), arg}, std::chrono::seconds(10));
  return result.stdout_ + result.stderr_;
}

}  // namespace

std::vector<std::string> ensure_builtin_busybox(images::ImageStore& store, const fs::path& busybox,
                                                const fs::path& scratch) {
  std::smatch version;
  std::string banner = run_busybox(busybox, "--help");
  if (!std::regex_search(banner, version, std::regex("BusyBox v([0-9]+\\.[0-9]+)")))
    throw std::runtime_error(busybox.string() + " does not say which BusyBox version it is");
  std::vector<std::string> missing;
  for (const std::string& name : {"busybox:" + version[1].str(), std::string("busybox:latest")})
    if (!store.find(name)) missing.push_back(name);
  if (missing.empty()) return {};

  fs::remove_all(scratch);
  for (const char* dir : {"bin", "etc", "root", "tmp", "var/www", "home"})
    fs::create_directories(scratch / dir);
  fs::permissions(scratch / "tmp", fs::perms::all | fs::perms::sticky_bit);
  fs::permissions(scratch / "root", fs::perms::owner_all);
  fs::copy_file(busybox, scratch / "bin" / "busybox");
  std::istringstream applets(run_busybox(busybox, "--list"));
  for (std::string applet; std::getline(applets, applet);)
    if (!applet.empty() && applet != "busybox" && applet.find('/') == std::string::npos)
      fs::create_symlink("busybox", scratch / "bin" / applet);
  std::ofstream(scratch / "etc" / "passwd") << "root:x:0:0:root:/root:/bin/sh\n"
                                               "nobody:x:65534:65534:nobody:/home:/bin/false\n";
  std::ofstream(scratch / "etc" / "group") << "root:x:0:\nnogroup:x:65534:\n";
  for (const auto& name : missing) store.import_folder(scratch, images::ImportOptions{name, {"sh"}});
  fs::remove_all(scratch);
  return missing;
}

}  // namespace ukube::runtime::runc
