-- wrk script: POST /v1/orders for one product (PRODUCT env, default HOT), quantity 1.
-- Counts answers by status so a run shows sold (201) vs out of stock (409).
--   wrk -t2 -c64 -d10s --latency -s loadtest/wrk/order.lua http://127.0.0.1:8080
-- PRODUCTS=A,B,C spreads the orders over several products in turn. KEY_PREFIX=<p> gives every
-- order its own Idempotency-Key (<p>-<thread>-<n>), as a storefront does; another prefix per
-- run keeps the keys of consecutive runs apart.
local product = os.getenv("PRODUCT") or "HOT"
local products = {}
for p in string.gmatch(os.getenv("PRODUCTS") or product, "[^,]+") do products[#products + 1] = p end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local key_prefix = os.getenv("KEY_PREFIX")
local counter = 0
request = function()
  counter = counter + 1
  local p = products[(counter % #products) + 1]
  local body = '{"product_id":"' .. p .. '","quantity":1}'
  if key_prefix == nil then return wrk.format(nil, "/v1/orders", nil, body) end
  local headers = {["Content-Type"] = "application/json",
                   ["Idempotency-Key"] = key_prefix .. "-" .. thread_number .. "-" .. counter}
  return wrk.format(nil, "/v1/orders", headers, body)
end

local threads = {}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

init = function()
  statuses = {}
end

response = function(status)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function()
  local totals = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do totals[code] = (totals[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(totals) do parts[#parts + 1] = code .. "=" .. n end
  table.sort(parts)
  io.write("statuses: " .. table.concat(parts, " ") .. "\n")
end
