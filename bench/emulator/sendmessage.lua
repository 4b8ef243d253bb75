-- wrk script: POST sendMessage as JSON to a random one of the chats listed in $CHATS.
local chats = {}
for id in string.gmatch(os.getenv("CHATS") or "", "%d+") do
  chats[#chats + 1] = id
end
local token = os.getenv("TOKEN")
local counter = 0

request = function()
  counter = counter + 1
  local chat = chats[(counter % #chats) + 1]
  local body = '{"chat_id":' .. chat .. ',"text":"load message ' .. counter .. '"}'
  return wrk.format("POST", "/bot" .. token .. "/sendMessage", {["Content-Type"] = "application/json"}, body)
end

local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
