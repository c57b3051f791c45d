#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

// Puts a strategically merged list in the order the patch asked for ($setElementOrder)
// without losing the elements only the server knew about.
namespace ukube::pipeline {

using ElementIdentity = std::function<boost::json::value(const boost::json::value& element)>;

// Elements whose identity is in `order` come in that order; every other element stays
// right after the element it followed before (at the front if none did).
void order_list(boost::json::array& list, const std::vector<boost::json::value>& order,
                const ElementIdentity& id);

// Strategic merge patch's form: identities are `merge_key` values of object elements
// (and of the objects in `order`), or the elements themselves for primitive lists.
void order_list(boost::json::array& list, const boost::json::array& order, std::string_view merge_key);

// The order strategic merge patch gives a merged list when the patch sets none: the
// patch's elements in patch order, with the elements only the server had woven back in
// where their old positions say they sit before a patch element that was also there
// before; anything the server had not seen goes ahead of the server-only elements.
void interleave_patch_order(boost::json::array& merged, const boost::json::array& original,
                            const boost::json::array& patch, std::string_view merge_key);

}  // namespace ukube::pipeline
