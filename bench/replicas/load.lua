-- load.lua: wrk's requests for bench/replicas.sh: /api/search for a few
-- words in turn, counting the answers by status and by the generation of
-- the index that answered (X-Eaf-Generation).  At the end one line:
--   wrk: requests=N non2xx=N connect=N read=N write=N timeout=N
--        p50_ms=.. p99_ms=.. max_ms=.. gens=GEN:COUNT,...
local words = {"harbour", "grain tariff", "rice", "port quay", "election",
               "energy grid", "festival", "bridge railway", "winter storm",
               "customs market", "north coast", "steel factory"}
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = id
  gens = {}
  other = 0
end

function request()
  counter = counter + 1
  local w = words[(counter % #words) + 1]:gsub(" ", "+")
  return wrk.format("GET", "/api/search?q=" .. w .. "&n=10")
end

function response(status, headers, body)
  -- (HAProxy passes header names in lower case, as HTTP/2 has them)
  local g = headers["x-eaf-generation"] or headers["X-Eaf-Generation"]
  if g then
    gens[g] = (gens[g] or 0) + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local all = {}
  local none = 0
  for _, t in ipairs(threads) do
    local g = t:get("gens")
    for k, v in pairs(g) do
      all[k] = (all[k] or 0) + v
    end
    none = none + t:get("other")
  end
  local parts = {}
  for k, v in pairs(all) do
    table.insert(parts, k .. ":" .. v)
  end
  table.sort(parts)
  local e = summary.errors
  io.write(string.format("wrk: requests=%d non2xx=%d connect=%d read=%d write=%d " ..
                         "timeout=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f gens=%s nogen=%d\n",
                         summary.requests, e.status, e.connect, e.read, e.write, e.timeout,
                         latency:percentile(50) / 1000, latency:percentile(99) / 1000,
                         latency.max / 1000, table.concat(parts, ","), none))
end
