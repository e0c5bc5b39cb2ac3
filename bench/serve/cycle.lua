-- cycle.lua: a wrk script that sends the queries of a QID<TAB>QUERY file in turn.
--
--   wrk -s bench/serve/cycle.lua URL -- PREFIX QUERIES.tsv [SUFFIX]
--
-- Each request is GET PREFIX .. percent-encoded(query) .. SUFFIX, e.g. with
-- PREFIX "/api/search?q=" and SUFFIX "&n=10".  wrk's threads each start at
-- their own share of the list, so connections do not ask the same query at
-- the same moment.  At the end it prints one line for bench/serve.sh:
--   wrk: requests=N seconds=S rps=R p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..
--        non2xx=N connect=N read=N write=N timeout=N
-- (non2xx: wrk's count of responses with a status of 400 or more; the other
-- four are its socket errors).

local threads = {}
local counter = 1

local function encode(s)
  return (s:gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", c:byte())
  end))
end

local function load(path)
  local list = {}
  local f = assert(io.open(path, "r"))
  for line in f:lines() do
    local q = line:match("^[^\t]*\t([^\t\r]*)")
    if q then
      list[#list + 1] = q
    end
  end
  f:close()
  assert(#list > 0, "no queries in " .. path)
  return list
end

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local prefix = args[1] or "/api/search?q="
  local suffix = args[3] or ""
  local queries = load(args[2] or "title_queries.tsv")
  paths = {}
  for i, q in ipairs(queries) do
    paths[i] = prefix .. encode(q) .. suffix
  end
  local share = math.floor(#paths / 8)
  counter = ((id or 0) * share) % #paths
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  local s = summary.duration / 1e6
  io.write(string.format(
    "wrk: requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f " ..
    "non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, s, summary.requests / s,
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3,
    e.status, e.connect, e.read, e.write, e.timeout))
end
