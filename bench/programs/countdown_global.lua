n = 50000000
while n > 0 do
    n = n - 1
end
