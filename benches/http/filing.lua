-- wrk's requests for scripts/bench-http: a report filed with a bearer token (TOKEN), each one
-- different (every kind, district, place and severity in turn, hours apart) or, with
-- REPORTS=identical, the same one over and over.
local kinds = {"threat", "violence", "harassment", "improper_influence", "vandalism", "public_disorder"}
local districts = {"central", "west", "east"}
local places = {"school", "workplace", "public_space", "nightlife", "home", "leisure_venue", "digital"}
local categories = {"employee", "elected_official", "pupil_child", "service_user", "resident"}
local severities = {"low", "medium", "high", "serious"}
local varied = os.getenv("REPORTS") ~= "identical"
local started = os.time()
local sent = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")

local function pick(list, i)
  return list[(i % #list) + 1]
end

request = function()
  local i = varied and sent or 0
  sent = sent + 1
  local occurred = os.date("!%Y-%m-%dT%H:%M:00Z", started - (i % 5000) * 3600)
  local kind = pick(kinds, i)
  -- Forms of violence go with violence only; any other kind is refused with them.
  local forms = kind == "violence" and '"violence_forms":["physical","psychological"],' or ""
  local body = string.format(
    '{"kind":"%s",%s"occurred_at":"%s",' ..
    '"district":"%s","place_kind":"%s","affected_category":"%s","affected_gender":"unknown",' ..
    '"affected_age_group":"age_30_49","children_affected":"no","perpetrator_relation":"unknown",' ..
    '"perpetrator_influence":"unknown","severity":"%s","description":"Benchmark report %d: a ' ..
    'description of ordinary length, about as long as what a reporter writes in a hurry."}',
    kind, forms, occurred, pick(districts, i), pick(places, i), pick(categories, i),
    pick(severities, i), i)
  return wrk.format(nil, nil, nil, body)
end
