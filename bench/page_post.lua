-- wrk script: POST the same valid citizen page (page one, "next") again and again.
-- bench/ceiling.py writes the body and cookie of one opened questionnaire into the environment.
wrk.method = "POST"
wrk.body = os.getenv("WRK_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local cookie = os.getenv("WRK_COOKIE")
if cookie and #cookie > 0 then wrk.headers["Cookie"] = cookie end
