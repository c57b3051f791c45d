#include "ukube/node/nft.h"

#include <unistd.h>

#include <cctype>
#include <stdexcept>

#include "ukube/node/spawn.h"

namespace ukube::runtime::node {

NftApply nft_runner(std::string nft_path) {
  return [nft = std::move(nft_path)](const std::string& script) {
    SpawnOptions options;
    options.argv = {nft, "-f", "-"};
    CapturedRun run = run_captured(options, script);
    if (run.exit_code != 0) {
      std::string message = run.err.empty() ? run.out : run.err;
      if (message.size() > 2000) message = message.substr(0, 2000) + "...";
      throw std::runtime_error("nft -f refused the transaction: " + message);
    }
  };
}

std::string nft_path_or_default(const std::string& configured) {
  if (!configured.empty()) return configured;
  return find_executable("nft", "/usr/sbin:/usr/bin:/sbin:/bin").value_or("");
}

std::string why_nft_unusable(const std::string& nft_path, const std::string& who) {
  if (::geteuid() != 0) return who + " needs root to program nftables";
  if (nft_path.empty() || ::access(nft_path.c_str(), X_OK) != 0)
    return who + " needs nft (apt-get install nftables)";
  return "";
}

void check_nft_table_name(const std::string& table, const std::string& field) {
  bool ok = !table.empty();
  for (char c : table)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') ok = false;
  if (!ok)
    throw std::invalid_argument(field + ": \"" + table + "\" may hold only letters, digits, '-' and '_'");
}

}  // namespace ukube::runtime::node
