// The ukube command line: reads the arguments and runs the command they name; the node
// itself is kernel/daemon/daemon.cpp.
#include "kernel/daemon/command_line.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>

#include "kernel/daemon/daemon.h"
#include "kernel/daemon/image_command.h"
#include "kernel/daemon/issue_kubeconfig.h"
#include "kernel/daemon/token_command.h"
#include "kernel/host/config.h"
#include "kernel/host/errors.h"
#include "kernel/host/introspection.h"

namespace {

constexpr const char* kUsage = R"(usage:
  ukube --config FILE [--data-dir DIR] [--listen HOST:PORT] [--log-level LEVEL]
      run the node the config describes (SIGHUP re-reads FILE, SIGTERM stops)
  ukube plugins --config FILE
      list every plugin: type, id, state and library, after checking the config
  ukube kubeconfig [--config FILE] [--data-dir DIR] --user NAME [--group GROUP]... [--days N]
      print a kubeconfig for NAME (in each GROUP) with a client certificate signed by
      the node's cluster CA, valid N days (default 365)
  ukube token create [--kubeconfig FILE | --data-dir DIR] [--ttl 24h] [--description TEXT]
      [--groups system:bootstrappers:NAME[,...]]
      print a new bootstrap token <id>.<secret> after storing it as a Secret in
      kube-system through the API server (admin kubeconfig: FILE or DIR/admin.kubeconfig);
      --ttl 0 never expires
  ukube image import [--data-dir DIR] [--name NAME:TAG] FILE
      store the image(s) of FILE in the node's image store: an OCI image layout tar
      (skopeo copy ... oci-archive:FILE), a docker-archive tar (docker save), or a plain
      root filesystem tar (--name required); gzip-compressed or not
  ukube image pull [--data-dir DIR] [--creds USER:PASSWORD] [--insecure] IMAGE
      fetch IMAGE from its registry over HTTPS (plain HTTP for loopback registries, or
      with --insecure)
  ukube image ls [--data-dir DIR]
  ukube image rm [--data-dir DIR] IMAGE...
      list the stored images, or remove names (an image goes with its last name)
  ukube version
)";

int usage_error(const std::string& message) {
  std::cerr << "ukube: " << message << "\n\n" << kUsage;
  return 2;
}

}  // namespace

int ukube_main(int argc, char** argv) {
  std::string command = "run";
  ukube::daemon::DaemonOptions options;
  ukube::daemon::KubeconfigRequest kubeconfig;
  ukube::daemon::TokenCreateRequest token;
  std::string token_action;
  ukube::daemon::ImageCommand image;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view flag) -> std::string {
      if (auto eq = arg.find('='); eq != std::string_view::npos) return std::string(arg.substr(eq + 1));
      if (i + 1 >= argc) throw std::invalid_argument(std::string(flag) + " needs a value");
      return argv[++i];
    };
    try {
      if (command == "run" && (arg == "plugins" || arg == "version" || arg == "help" || arg == "kubeconfig" ||
                               arg == "token" || arg == "image")) {
        command = arg;
      } else if (command == "image" && image.action.empty() && !arg.starts_with("-")) {
        image.action = arg;
      } else if (command == "image" && arg.starts_with("--name")) {
        image.name = value("--name");
      } else if (command == "image" && arg.starts_with("--creds")) {
        image.credentials = value("--creds");
      } else if (command == "image" && arg == "--insecure") {
        image.insecure = true;
      } else if (command == "image" && !arg.starts_with("-")) {
        image.args.emplace_back(arg);
      } else if (command == "token" && token_action.empty() && !arg.starts_with("-")) {
        token_action = arg;
      } else if (command == "token" && arg.starts_with("--kubeconfig")) {
        token.kubeconfig = value("--kubeconfig");
      } else if (command == "token" && arg.starts_with("--ttl")) {
        token.ttl = ukube::daemon::parse_ttl(value("--ttl"));
      } else if (command == "token" && arg.starts_with("--description")) {
        token.description = value("--description");
      } else if (command == "token" && arg.starts_with("--groups")) {
        std::string groups = value("--groups");
        for (size_t start = 0, comma = 0; start <= groups.size(); start = comma + 1) {
          comma = std::min(groups.find(',', start), groups.size());
          if (comma > start) token.groups.push_back(groups.substr(start, comma - start));
        }
      } else if (arg == "-h" || arg == "--help") {
        command = "help";
      } else if (arg.starts_with("--config")) {
        options.config_file = value("--config");
      } else if (arg.starts_with("--data-dir")) {
        options.data_dir = value("--data-dir");
      } else if (arg.starts_with("--listen")) {
        options.listen = value("--listen");
      } else if (arg.starts_with("--log-level")) {
        options.log_level = value("--log-level");
      } else if (command == "kubeconfig" && arg.starts_with("--user")) {
        kubeconfig.user = value("--user");
      } else if (command == "kubeconfig" && arg.starts_with("--group")) {
        kubeconfig.groups.push_back(value("--group"));
      } else if (command == "kubeconfig" && arg.starts_with("--days")) {
        std::string days = value("--days");
        if (days.empty() || days.find_first_not_of("0123456789") != std::string::npos || days.size() > 5)
          throw std::invalid_argument("--days needs a whole number of days, not \"" + days + "\"");
        kubeconfig.validity = std::chrono::hours(24 * std::stoi(days));
      } else {
        return usage_error("unknown argument \"" + std::string(arg) + "\"");
      }
    } catch (const std::invalid_argument& e) {
      return usage_error(e.what());
    }
  }
  if (command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "version") {
    std::cout << "ukube " << UKUBE_VERSION << "\n";
    return 0;
  }
  if (command == "token") {
    if (token_action != "create") return usage_error("ukube token: the only action is `create`");
    try {
      if (token.kubeconfig.empty())
        token.kubeconfig =
            (options.data_dir               ? *options.data_dir
             : !options.config_file.empty() ? ukube::host::load_config(options.config_file).data_dir
                                            : std::filesystem::path("data")) /
            "admin.kubeconfig";
      std::cout << ukube::daemon::create_bootstrap_token(token) << "\n";
      return 0;
    } catch (const std::exception& e) {
      std::cerr << "ukube token create: " << e.what() << "\n";
      return 1;
    }
  }
  if (command == "image") {
    try {
      image.data_dir = options.data_dir               ? *options.data_dir
                       : !options.config_file.empty() ? ukube::host::load_config(options.config_file).data_dir
                                                      : std::filesystem::path("data");
    } catch (const std::exception& e) {
      std::cerr << "ukube image: " << e.what() << "\n";
      return 1;
    }
    if (image.action.empty()) return usage_error("ukube image: name an action: import, pull, ls or rm");
    return ukube::daemon::run_image_command(image, std::cout, std::cerr);
  }
  if (command == "kubeconfig") {
    try {
      kubeconfig.data_dir = options.data_dir ? *options.data_dir
                            : !options.config_file.empty()
                                ? ukube::host::load_config(options.config_file).data_dir
                                : std::filesystem::path("data");
      std::cout << ukube::daemon::issue_kubeconfig(kubeconfig);
      return 0;
    } catch (const std::exception& e) {
      std::cerr << "ukube kubeconfig: " << e.what() << "\n";
      return 1;
    }
  }
  if (options.config_file.empty()) return usage_error("--config FILE is required");
  try {
    if (command == "plugins") {
      auto config = ukube::host::load_config(options.config_file);
      std::cout << ukube::host::format_plugin_table(ukube::host::inspect(config));
      return 0;
    }
    return ukube::daemon::run_daemon(options);
  } catch (const std::exception& e) {
    std::cerr << "ukube: " << e.what() << "\n";
    return 1;
  }
}
