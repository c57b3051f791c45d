#pragma once

#include <functional>
#include <string>

// Programming nftables the way the node's plugins do (the proxy, network policies): one
// table per plugin, each change one `nft -f` transaction, so no packet sees half of it.
namespace ukube::runtime::node {

// Runs an nft script as one transaction; throws std::runtime_error with nft's message.
using NftApply = std::function<void(const std::string& script)>;

// The runner of the nft program at `nft_path`.
NftApply nft_runner(std::string nft_path);

// `configured`, else nft from PATH's usual directories; empty when there is none.
std::string nft_path_or_default(const std::string& configured);

// Why `who` (a plugin's description) cannot program nftables here: not root, no nft.
// Empty when it can.
std::string why_nft_unusable(const std::string& nft_path, const std::string& who);

// Throws std::invalid_argument naming `field` when `table` is no plain nft identifier.
void check_nft_table_name(const std::string& table, const std::string& field);

}  // namespace ukube::runtime::node
