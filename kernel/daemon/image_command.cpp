#include "kernel/daemon/image_command.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ostream>

#include "ukube/images/image_store.h"
#include "ukube/images/reference.h"

namespace ukube::daemon {
namespace {

// "1.2MB", as docker and crictl print sizes (powers of 1000).
std::string human_size(int64_t bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1000 && unit + 1 < std::size(units)) {
    value /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f%s" : "%.3g%s", value, units[unit]);
  return text;
}

std::string short_id(const std::string& id) {
  return id.substr(id.find(':') + 1, 12);
}

void print_table(const std::vector<images::Image>& list, std::ostream& out) {
  std::vector<std::array<std::string, 3>> rows{{"IMAGE", "IMAGE ID", "SIZE"}};
  for (const auto& image : list) {
    if (image.names.empty()) rows.push_back({"<none>", short_id(image.id), human_size(image.size)});
    for (const auto& name : image.names) rows.push_back({name, short_id(image.id), human_size(image.size)});
  }
  size_t widths[2] = {0, 0};
  for (const auto& r : rows)
    for (size_t c = 0; c < 2; ++c) widths[c] = std::max(widths[c], r[c].size());
  for (const auto& r : rows)
    out << r[0] << std::string(widths[0] - r[0].size() + 3, ' ') << r[1]
        << std::string(widths[1] - r[1].size() + 3, ' ') << r[2] << "\n";
}

}  // namespace

std::filesystem::path image_store_dir(const std::filesystem::path& data_dir) {
  return data_dir / "image-store";
}

int run_image_command(const ImageCommand& command, std::ostream& out, std::ostream& err) {
  const std::string prefix = "ukube image " + command.action + ": ";
  try {
    images::ImageStore store(image_store_dir(command.data_dir));
    if (command.action == "import") {
      if (command.args.size() != 1) {
        err << prefix << "name one file to import: ukube image import [--name NAME:TAG] FILE\n";
        return 2;
      }
      images::ImportOptions options;
      options.name = command.name;
      for (const auto& image : store.import(command.args.front(), options))
        for (const auto& name : image.names) out << "imported " << name << " (" << image.id << ")\n";
      return 0;
    }
    if (command.action == "pull") {
      if (command.args.size() != 1) {
        err << prefix
            << "name one image to pull: ukube image pull [--creds USER:PASSWORD] [--insecure] IMAGE\n";
        return 2;
      }
      images::PullOptions options;
      if (!command.credentials.empty()) {
        const auto colon = command.credentials.find(':');
        options.auth.username = command.credentials.substr(0, colon);
        if (colon != std::string::npos) options.auth.password = command.credentials.substr(colon + 1);
      }
      if (command.insecure)
        options.insecure_registries.push_back(images::parse_reference(command.args.front()).domain);
      options.progress = [&](const std::string& what) { out << what << "\n" << std::flush; };
      images::Image image = store.pull(command.args.front(), options);
      out << "pulled " << images::parse_reference(command.args.front()).full() << " (" << image.id << ")\n";
      return 0;
    }
    if (command.action == "ls") {
      print_table(store.list(), out);
      return 0;
    }
    if (command.action == "rm") {
      if (command.args.empty()) {
        err << prefix << "name the images to remove: ukube image rm IMAGE...\n";
        return 2;
      }
      int status = 0;
      for (const auto& reference : command.args) {
        try {
          for (const auto& name : store.remove(reference)) out << "untagged " << name << "\n";
        } catch (const images::StoreError& e) {
          err << prefix << e.what() << "\n";
          status = 1;
        }
      }
      return status;
    }
    err << "ukube image: unknown action \"" << command.action << "\": use import, pull, ls or rm\n";
    return 2;
  } catch (const std::exception& e) {
    err << prefix << e.what() << "\n";
    return 1;
  }
}

}  // namespace ukube::daemon
