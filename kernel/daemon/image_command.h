#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

// `ukube image import|pull|ls|rm`: the node's local image store (<data dir>/image-store), used
// without the daemon, which may be running meanwhile (the store locks itself).
namespace ukube::daemon {

struct ImageCommand {
  std::string action;  // import, pull, ls, rm
  std::filesystem::path data_dir;
  std::string name;               // import --name
  std::string credentials;        // pull --creds USER:PASSWORD
  bool insecure = false;          // pull --insecure: plain HTTP to the image's registry
  std::vector<std::string> args;  // import: the file; pull: the image; rm: the images
};

// The store of a node's data dir.
std::filesystem::path image_store_dir(const std::filesystem::path& data_dir);

// Runs the command, printing to `out`; returns the exit status. Errors go to `err` saying
// what went wrong and what to do.
int run_image_command(const ImageCommand& command, std::ostream& out, std::ostream& err);

}  // namespace ukube::daemon
