-- wrk script: replays the requests of a file, one per line, tab-separated:
--   METHOD <TAB> PATH <TAB> BEARER TOKEN <TAB> JSON BODY (may be empty)
-- Each wrk thread takes its own share of the lines (so two threads never send the same visitor's turn at
-- once) and cycles through it. Usage: wrk -t2 -c16 -d15s --latency -s requests.lua URL -- FILE
-- Non-2xx answers are counted by wrk ("Non-2xx or 3xx responses").

local lines = {}
local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

function init(args)
   local all = {}
   for line in io.lines(args[1]) do
      local method, path, token, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
      local headers = { ["Authorization"] = "Bearer " .. token }
      if body ~= nil and body ~= "" then
         headers["Content-Type"] = "application/json"
      else
         body = nil
      end
      table.insert(all, wrk.format(method, path, headers, body))
   end
   local n = tonumber(args[2] or "1")
   for i = 1, #all do
      if n <= 1 or (i - 1) % n == id then
         table.insert(lines, all[i])
      end
   end
   if #lines == 0 then lines = all end
   next_line = 0
end

function request()
   next_line = next_line % #lines + 1
   return lines[next_line]
end
