-- wrk reporter for the benchmark (load.py): after the run, one line
--   BENCH {"requests":..., "rps":..., "p50_us":..., ...}
-- with the counts wrk keeps: requests, duration, latency percentiles (in
-- microseconds) and errors (socket errors, timeouts, and responses with a
-- status of 400 or more, which wrk counts as "status" errors).

function bench_report(summary, latency, requests)
   local errors = summary.errors
   local seconds = summary.duration / 1e6
   local rps = 0
   if seconds > 0 then rps = summary.requests / seconds end
   io.write(string.format(
      'BENCH {"requests":%d,"duration_us":%d,"bytes":%d,"rps":%.2f,' ..
      '"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
      summary.requests, summary.duration, summary.bytes, rps,
      latency:percentile(50), latency:percentile(95), latency:percentile(99),
      latency.max, latency.mean,
      errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end

done = bench_report
