-- wrk script: prints the run's summary as one line, `wrk-summary {json}` (requests/s, latency
-- percentiles in ms, errors), for scripts that compare runs without parsing wrk's text output.
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'wrk-summary {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,' ..
    '"p99_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,"non2xx":%d,"socket_errors":%d,"timeouts":%d}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    latency.mean / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout))
end
