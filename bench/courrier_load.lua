-- wrk script of bench/courrier.py: POST the registration given by the environment, count the
-- answers 201 and the others, print one machine-readable line at the end.
wrk.method = "POST"
wrk.path = "/api/v1/courriers"
wrk.body = os.getenv("ATD_BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("ATD_BENCH_TOKEN")

local threads = {}
created, others = 0, 0

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status == 201 then created = created + 1 else others = others + 1 end
end

function done(summary, latency, requests)
  local ok, bad = 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("created")
    bad = bad + thread:get("others")
  end
  io.write(string.format("RESULT %d %d %.6f %.3f %.3f %.3f\n", ok, bad,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
