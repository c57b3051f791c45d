#include "volume_manager.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "ukube/machinery/json.h"
#include "ukube/machinery/quantity.h"

namespace ukube::kubelet {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using machinery::object_at;
using machinery::string_at;

// configMap, secret, downwardAPI and projected: files from the API, swapped atomically.
class ProjectedDriver final : public VolumeDriver {
 public:
  explicit ProjectedDriver(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  fs::path publish(const VolumeRequest& r, const fs::path& target) override {
    write_atomically(target, volume_files(*r.volume, *r.inputs));
    return target;
  }
  void unpublish(const fs::path& target) override { fs::remove_all(target); }

 private:
  std::string name_;
};

// emptyDir: a folder for the pod's life; medium Memory is a tmpfs of sizeLimit where the
// kubelet may mount (root), else a folder like the rest.
class EmptyDirDriver final : public VolumeDriver {
 public:
  std::string name() const override { return "kubernetes.io~empty-dir"; }
  fs::path publish(const VolumeRequest& r, const fs::path& target) override {
    if (fs::exists(target)) return target;
    fs::create_directories(target);
    ::chmod(target.c_str(), 0777);
    const json::object& source = machinery::object_or_empty(object_at(*r.volume, {"emptyDir"}));
    if (string_at(source, {"medium"}) == "Memory" && ::geteuid() == 0) {
      std::string options = "mode=0777";
      if (const auto* limit = machinery::value_at(source, {"sizeLimit"}))
        if (auto q = machinery::Quantity::from_json(*limit)) options += ",size=" + std::to_string(q->value());
      if (::mount("tmpfs", target.c_str(), "tmpfs", 0, options.c_str()) != 0)
        throw std::runtime_error("cannot mount a tmpfs at " + target.string() + ": " + std::strerror(errno));
    }
    return target;
  }
  void unpublish(const fs::path& target) override {
    ::umount2(target.c_str(), MNT_DETACH);  // harmless when it is a plain folder
    fs::remove_all(target);
  }
};

// hostPath: the host's own path, checked or created as its type says.
class HostPathDriver final : public VolumeDriver {
 public:
  std::string name() const override { return "kubernetes.io~host-path"; }
  fs::path publish(const VolumeRequest& r, const fs::path&) override {
    const json::object& source = machinery::object_or_empty(object_at(*r.volume, {"hostPath"}));
    const fs::path path = string_at(source, {"path"});
    const std::string type = string_at(source, {"type"});
    std::error_code ec;
    auto fail = [&](const std::string& what) {
      throw std::runtime_error("hostPath type check failed: " + path.string() + " is not " + what);
    };
    struct stat st {};
    const bool exists = ::stat(path.c_str(), &st) == 0;
    if (type == "DirectoryOrCreate" && !exists) {
      fs::create_directories(path, ec);
      if (ec)
        throw std::runtime_error("cannot create the hostPath folder " + path.string() + ": " + ec.message());
      ::chmod(path.c_str(), 0755);
    } else if (type == "FileOrCreate" && !exists) {
      fs::create_directories(path.parent_path(), ec);
      std::ofstream(path).close();
      ::chmod(path.c_str(), 0644);
    } else if (type == "Directory" && !(exists && S_ISDIR(st.st_mode))) {
      fail("a directory");
    } else if (type == "File" && !(exists && S_ISREG(st.st_mode))) {
      fail("a file");
    } else if (type == "Socket" && !(exists && S_ISSOCK(st.st_mode))) {
      fail("a socket file");
    } else if (type == "CharDevice" && !(exists && S_ISCHR(st.st_mode))) {
      fail("a character device");
    } else if (type == "BlockDevice" && !(exists && S_ISBLK(st.st_mode))) {
      fail("a block device");
    }
    return path;
  }
  void unpublish(const fs::path&) override {}  // the host's, not ours
};

}  // namespace

VolumeManager::VolumeManager(fs::path root) : root_(std::move(root)) {
  drivers_["configMap"] = std::make_unique<ProjectedDriver>("kubernetes.io~configmap");
  drivers_["secret"] = std::make_unique<ProjectedDriver>("kubernetes.io~secret");
  drivers_["downwardAPI"] = std::make_unique<ProjectedDriver>("kubernetes.io~downward-api");
  drivers_["projected"] = std::make_unique<ProjectedDriver>("kubernetes.io~projected");
  drivers_["emptyDir"] = std::make_unique<EmptyDirDriver>();
  drivers_["hostPath"] = std::make_unique<HostPathDriver>();
}

VolumeDriver* VolumeManager::driver_for(const json::object& volume) const {
  for (const auto& [field, driver] : drivers_)
    if (volume.contains(field)) return driver.get();
  return nullptr;
}

std::map<std::string, std::string> VolumeManager::publish(const ProjectionInputs& inputs) {
  std::map<std::string, std::string> out;
  const json::object& pod = *inputs.pod.pod;
  const fs::path pod_dir = root_ / machinery::uid_of(pod) / "volumes";
  machinery::for_each_object(
      machinery::array_at(pod, {"spec", "volumes"}), [&](const json::object& volume, size_t) {
        const std::string name = string_at(volume, {"name"});
        VolumeDriver* driver = driver_for(volume);
        if (!driver) return;  // a type no driver serves yet: the containers run without it
        VolumeRequest request{&volume, &inputs};
        try {
          driver->stage(request);
          out[name] = driver->publish(request, pod_dir / driver->name() / name).string();
        } catch (const std::exception& e) {
          throw VolumeError(name, e.what());
        }
      });
  return out;
}

void VolumeManager::tear_down(const std::string& pod_uid) {
  if (pod_uid.empty()) return;
  const fs::path volumes = root_ / pod_uid / "volumes";
  std::error_code ec;
  for (const auto& [field, driver] : drivers_) {
    const fs::path dir = volumes / driver->name();
    if (!fs::is_directory(dir, ec)) continue;
    for (const auto& entry : fs::directory_iterator(dir, ec)) driver->unpublish(entry.path());
  }
  fs::remove_all(root_ / pod_uid, ec);
}

bool VolumeManager::follows_api_objects(const json::object& pod) {
  bool follows = false;
  machinery::for_each_object(
      machinery::array_at(pod, {"spec", "volumes"}),
      [&](const json::object& volume, size_t) { follows = follows || is_projected_kind(volume); });
  return follows;
}

}  // namespace ukube::kubelet
