-- The grade POST of the study step, for the benchmark (load.py).
--
--   wrk ... -s lua/grade.lua URL -- GRADE_FILE PATH THREADS
--
-- GRADE_FILE holds "prompt_id reps" lines: the prompts of the study session
-- and how many reviews each has. Each wrk thread takes its own slice of the
-- lines (line n goes to thread n % THREADS) and POSTs them in turn, rating 3
-- (Good). When a thread has been through its slice it starts again with reps
-- one higher per round, which is what the prompt has by then: every request
-- is a real grade, not a refused repeat (a slice is far longer than a
-- thread's connections, so a prompt is never in flight twice). Should a grade
-- fail, that prompt's later grades are refused by the app ("already graded",
-- still a full request answered 200); the benchmark counts recorded grades.
-- The session cookie and CSRF token come in as -H headers.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local counter = 0

function setup(thread)
   thread:set("thread_number", counter)
   counter = counter + 1
end

function init(args)
   local file, path, threads = args[1], args[2], tonumber(args[3])
   local number = thread_number
   prompts, reps, position, round = {}, {}, 0, 0
   local line_number = 0
   for line in io.lines(file) do
      local prompt, count = line:match("^(%d+)%s+(%d+)")
      if prompt then
         if line_number % threads == number then
            prompts[#prompts + 1] = prompt
            reps[#reps + 1] = tonumber(count)
         end
         line_number = line_number + 1
      end
   end
   if #prompts == 0 then
      error("grade.lua: no prompts for thread " .. number .. " in " .. file)
   end
   wrk.method = "POST"
   wrk.path = path
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
   wrk.headers["HX-Request"] = "true"
end

function request()
   position = position + 1
   if position > #prompts then
      position, round = 1, round + 1
   end
   local body = "prompt=" .. prompts[position] .. "&rating=3&reps=" .. (reps[position] + round)
   return wrk.format(nil, nil, nil, body)
end
