local function countdown(n)
    while n > 0 do
        n = n - 1
    end
end
countdown(50000000)
