#pragma once

#include <string>
#include <string_view>
#include <vector>

// Small string helpers for the host's messages.
namespace ukube::host {

std::string join(const std::vector<std::string>& parts, std::string_view separator);

// Edit distance (insert, delete, substitute, swap neighbours), used to suggest the name a
// user probably meant.
std::size_t edit_distance(std::string_view a, std::string_view b);

// Up to `limit` candidates close enough to `wanted` to be a plausible typo, closest first.
std::vector<std::string> near_names(std::string_view wanted, const std::vector<std::string>& candidates,
                                    std::size_t limit = 3);

// "a", "a or b", "a, b or c": reads naturally inside a suggestion.
std::string or_list(const std::vector<std::string>& items);

}  // namespace ukube::host
